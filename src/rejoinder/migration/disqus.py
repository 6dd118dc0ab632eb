"""The Disqus XML export (*Admin → Moderate → Export*), read as a stream.

``<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">`` holds
``<category>``, then every ``<thread dsq:id>`` (``link``, ``title``, ``createdAt``), then
every ``<post dsq:id>``: ``message`` (HTML), ``createdAt``, ``isDeleted``, ``isSpam``,
``author`` (``name``, ``email``), ``ipAddress``, ``<thread dsq:id>`` and, for a reply,
``<parent dsq:id>``. Threads are kept in a small map; each post is dropped once read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import IO

from rejoinder.migration.htmltext import html_to_markdown
from rejoinder.migration.inputs import child_text, moment, split_tag, thread_key, xml_events
from rejoinder.migration.records import (
    ImportedComment,
    ImportedThread,
    ImportFailed,
    SourceState,
)

NS = "http://disqus.com"
DSQ = "{http://disqus.com/disqus-internals}id"


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _true(elem: ET.Element, name: str) -> bool:
    return child_text(elem, _tag(name)).lower() == "true"


def read(stream: IO[bytes], name: str) -> Iterator[ImportedThread | ImportedComment]:
    root: ET.Element | None = None
    threads: dict[str, str] = {}  # dsq:id → thread key
    depth = 0
    for event, elem in xml_events(stream, name):
        if event == "start":
            if root is None:
                root = elem
                namespace, tag = split_tag(elem.tag)
                if (namespace, tag) != (NS, "disqus"):
                    raise ImportFailed(
                        f"{name}: not a Disqus export: the root element is <{tag}>, not <disqus>"
                    )
            depth += 1
            continue
        depth -= 1
        if depth != 1 or root is None:
            continue  # only the root's children are whole records
        if elem.tag == _tag("thread"):
            thread = _thread(elem)
            threads[elem.get(DSQ, "")] = thread.key
            yield thread
        elif elem.tag == _tag("post"):
            yield _post(elem, threads)
        root.remove(elem)


def _thread(elem: ET.Element) -> ImportedThread:
    dsq_id = elem.get(DSQ, "")
    link = child_text(elem, _tag("link"))
    created = child_text(elem, _tag("createdAt"))
    where = f'<thread dsq:id="{dsq_id}">'
    return ImportedThread(
        thread_key(link, f"disqus-{dsq_id}" if dsq_id.isdigit() else "disqus"),
        link,
        child_text(elem, _tag("title")),
        moment(created, where, "createdAt") if created else None,
    )


def _post(elem: ET.Element, threads: dict[str, str]) -> ImportedComment:
    post_id = elem.get(DSQ, "")
    where = f'<post dsq:id="{post_id}">'
    if not post_id:
        raise ImportFailed(f"a <post> without a dsq:id (after {len(threads)} threads)")
    thread = elem.find(_tag("thread"))
    thread_id = thread.get(DSQ, "") if thread is not None else ""
    if thread_id not in threads:
        raise ImportFailed(f'{where}: its <thread dsq:id="{thread_id}"> is not in the file')
    parent = elem.find(_tag("parent"))
    message = elem.find(_tag("message"))
    text = html_to_markdown((message.text or "") if message is not None else "", typed=False)
    state = SourceState.APPROVED
    if _true(elem, "isSpam"):
        state = SourceState.SPAM
    elif _true(elem, "isDeleted"):
        state = SourceState.TRASH
    elif child_text(elem, _tag("isApproved")).lower() == "false":
        state = SourceState.PENDING
    return ImportedComment(
        source_id=post_id,
        thread_key=threads[thread_id],
        parent_id=parent.get(DSQ) if parent is not None else None,
        state=state,
        text=text,
        created_at=moment(child_text(elem, _tag("createdAt")), where, "createdAt"),
        where=where,
        author=child_text(elem, f"{_tag('author')}/{_tag('name')}"),
        email=child_text(elem, f"{_tag('author')}/{_tag('email')}"),
        ip=child_text(elem, _tag("ipAddress")),
    )
