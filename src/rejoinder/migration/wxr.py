"""WordPress eXtended RSS (WXR 1.0–1.2), as *Tools → Export* writes it, read and written.

Read: one ``<item>`` per post or page, its comments as ``<wp:comment>`` children (id, author,
e-mail, URL, IP address, GMT date, content, ``comment_approved`` 1/0/spam/trash, type, parent).
Parsed as a stream (``iterparse``), each item dropped once read. Pingbacks and trackbacks are
not comments and are skipped. WordPress' own exporter leaves spam out; other tools may not.

Written: the same shape, one item per thread, its comments with their rendered HTML as content
(which this module reads back as the same Markdown: ``htmltext``). There is no IP address to
write: rejoinder keeps only keyed hashes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

from rejoinder.core.records.comments import Status
from rejoinder.migration.htmltext import html_to_markdown
from rejoinder.migration.inputs import moment, split_tag, thread_key, xml_events
from rejoinder.migration.records import (
    ImportedComment,
    ImportedThread,
    ImportFailed,
    SourceState,
)
from rejoinder.spam.submission import parse_date
from rejoinder.storage.migration import ExportComment, ExportThread

WP_NAMESPACE_RE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
WP_NAMESPACE = "http://wordpress.org/export/1.2/"
COMMENT_TYPES = frozenset({"", "comment", "review"})
STATES = {
    "1": SourceState.APPROVED,
    "0": SourceState.PENDING,
    "spam": SourceState.SPAM,
    "trash": SourceState.TRASH,
    "post-trashed": SourceState.TRASH,
}


class _Item:
    """One ``<item>`` being read: its fields and its comments, until it ends."""

    def __init__(self, number: int):
        self.number = number
        self.fields: dict[str, str] = {}
        self.comments: list[ET.Element] = []

    def thread(self) -> ImportedThread:
        link = self.fields.get("link", "")
        post_id = self.fields.get("post_id", "") or str(self.number)
        key = thread_key(link, f"wp-{post_id}" if post_id.isdigit() else f"wp-item-{self.number}")
        created = parse_date(self.fields.get("post_date_gmt")) or parse_date(
            self.fields.get("post_date")
        )
        return ImportedThread(key, link, self.fields.get("title", ""), created)

    def name(self) -> str:
        post_id = self.fields.get("post_id", "?")
        return f"<item> {self.fields.get('title', '')!r} (wp:post_id {post_id})"


def read(stream: IO[bytes], name: str) -> Iterator[ImportedThread | ImportedComment]:
    wp: str | None = None
    comment_tag = ""
    depth = item_depth = items = 0
    item: _Item | None = None
    channel: ET.Element | None = None
    for event, value in xml_events(stream, name, namespaces=True):
        if event == "start-ns":
            if wp is None and WP_NAMESPACE_RE.match(value[1]):
                wp, comment_tag = value[1], f"{{{value[1]}}}comment"
            continue
        elem: ET.Element = value
        if event == "start":
            depth += 1
            if depth == 1 and elem.tag != "rss":
                tag = split_tag(elem.tag)[1]
                raise ImportFailed(
                    f"{name}: not a WordPress export (WXR): the root element is <{tag}>, not <rss>"
                )
            channel = elem if depth == 2 else channel
            if elem.tag == "item":
                items, item_depth = items + 1, depth
                item = _Item(items)
            continue
        if item is not None and depth == item_depth + 1:
            if elem.tag == comment_tag:
                item.comments.append(elem)  # read at the item's end, when its link is known
            else:
                item.fields[split_tag(elem.tag)[1]] = (elem.text or "").strip()
        elif item is not None and depth == item_depth:
            yield from _item_records(item, wp or WP_NAMESPACE)
            item = None
            if channel is not None:
                channel.remove(elem)  # keep memory flat: the item is done with
        depth -= 1
    if wp is None:
        raise ImportFailed(f"{name}: no wp: elements: not a WordPress export (WXR)")


def _item_records(item: _Item, wp: str) -> Iterator[ImportedThread | ImportedComment]:
    thread = item.thread()
    yield thread
    for number, elem in enumerate(item.comments, 1):
        yield _comment(elem, wp, thread.key, number, item.name())


def _comment(elem: ET.Element, wp: str, key: str, number: int, item: str) -> ImportedComment:
    prefix = f"{{{wp}}}"
    fields = {
        child.tag[len(prefix) :] if child.tag.startswith(prefix) else split_tag(child.tag)[1]: (
            child.text or ""
        )
        for child in elem
    }

    def field(name: str) -> str:
        return fields.get(name, "").strip()

    comment_id = field("comment_id")
    if not comment_id:
        raise ImportFailed(f"<wp:comment> number {number} of {item}: it has no <wp:comment_id>")
    where = f"<wp:comment> {comment_id} of {item}"
    kind = field("comment_type").lower()
    approved = field("comment_approved").lower()
    state = STATES.get(approved, SourceState.PENDING)
    if kind not in COMMENT_TYPES:
        state = SourceState.SKIPPED
    content = fields.get("comment_content", "")
    dated = field("comment_date_gmt")
    if parse_date(dated) is None:
        dated = field("comment_date")  # drafts have 0000-00-00 as GMT date
    parent = field("comment_parent")
    return ImportedComment(
        source_id=comment_id,
        thread_key=key,
        state=state,
        parent_id=parent if parent not in ("", "0") else None,
        text=html_to_markdown(content),
        created_at=moment(dated, where, "the comment_date"),
        where=where,
        author=field("comment_author"),
        email=field("comment_author_email"),
        website=field("comment_author_url"),
        ip=field("comment_author_IP"),
    )


# --- writing ------------------------------------------------------------------------------
_APPROVED = {
    Status.PUBLISHED: "1",
    Status.PENDING: "0",
    Status.SPAM: "spam",
    Status.DELETED: "trash",
}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(moment_: datetime) -> str:
    return moment_.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def write(
    out: IO[str],
    site_url: str,
    site_name: str,
    threads: Iterable[tuple[ExportThread, list[ExportComment]]],
) -> None:
    """A WXR 1.2 file of these threads and comments."""
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:wp="{WP_NAMESPACE}">\n<channel>\n'
        f"<title>{_esc(site_name)}</title>\n<link>{_esc(site_url)}</link>\n"
        "<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"<wp:base_site_url>{_esc(site_url)}</wp:base_site_url>\n"
        f"<wp:base_blog_url>{_esc(site_url)}</wp:base_blog_url>\n"
        "<generator>rejoinder</generator>\n"
    )
    for thread, comments in threads:
        _write_item(out, thread, comments)
    out.write("</channel>\n</rss>\n")


def _write_item(out: IO[str], thread: ExportThread, comments: list[ExportComment]) -> None:
    out.write(
        f"<item>\n<title>{_esc(thread.title)}</title>\n<link>{_esc(thread.url)}</link>\n"
        f"<wp:post_id>{thread.id}</wp:post_id>\n"
        f"<wp:post_date_gmt>{_date(thread.created_at)}</wp:post_date_gmt>\n"
        "<wp:post_type>post</wp:post_type>\n<wp:status>publish</wp:status>\n"
        "<wp:comment_status>open</wp:comment_status>\n"
    )
    for c in comments:
        out.write(
            "<wp:comment>\n"
            f"<wp:comment_id>{c.id}</wp:comment_id>\n"
            f"<wp:comment_author>{_cdata(c.author)}</wp:comment_author>\n"
            f"<wp:comment_author_email>{_cdata(c.email)}</wp:comment_author_email>\n"
            f"<wp:comment_author_url>{_esc(c.website)}</wp:comment_author_url>\n"
            "<wp:comment_author_IP></wp:comment_author_IP>\n"
            f"<wp:comment_date>{_date(c.created_at)}</wp:comment_date>\n"
            f"<wp:comment_date_gmt>{_date(c.created_at)}</wp:comment_date_gmt>\n"
            f"<wp:comment_content>{_cdata(c.html)}</wp:comment_content>\n"
            f"<wp:comment_approved>{_APPROVED[c.status]}</wp:comment_approved>\n"
            "<wp:comment_type>comment</wp:comment_type>\n"
            f"<wp:comment_parent>{c.parent_id or 0}</wp:comment_parent>\n"
            "<wp:comment_user_id>0</wp:comment_user_id>\n"
            "</wp:comment>\n"
        )
    out.write("</item>\n")
