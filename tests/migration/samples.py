"""Export files written the way each system documents (and writes) them, for one small site
history: two articles, a reply two levels deep, a held comment, spam, a removed comment.

WXR follows WordPress' exporter (wp-admin/includes/export.php, WXR 1.2); the Disqus file the
export format Disqus documents (and Isso's own test fixture shows); the Isso database is made
by the real `isso` package; the Remark42 backup follows its native exporter (a JSON header
line, then one comment per line, gzip).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

SITE = "https://blog.example.com"
HELLO = f"{SITE}/2024/01/hello-world/"
SECOND = f"{SITE}/2024/02/second-post/"
SEAN_IP = "203.0.113.7"


@dataclass(frozen=True)
class Sample:
    id: int
    article: str
    parent: int | None
    author: str
    email: str
    website: str
    ip: str
    when: datetime
    state: str  # approved, pending, spam, trash
    html: str  # as WordPress stores it (typed text with inline tags)


def at(day: int, hour: int) -> datetime:
    return datetime(2024, 1, day, hour, 0, tzinfo=UTC)


HISTORY = [
    Sample(1, HELLO, None, "Seán O'Brien", "sean@example.org", "https://sean.example.org/",
           SEAN_IP, at(2, 10), "approved",
           "I don't *agree*.\n\nHere's <strong>why</strong>: <a href=\"https://example.org/why\">read this</a>."),
    Sample(2, HELLO, 1, "Ann", "ann@example.net", "", "2001:db8::5", at(2, 12), "pending",
           "Thanks, Seán."),
    Sample(3, HELLO, 2, "Bob", "bob@example.com", "", "192.0.2.33", at(3, 9), "approved",
           "A reply to a reply: <em>depth two</em>."),
    Sample(4, HELLO, None, "Cheap Pills", "pills@spam.example", "https://pills.example.net",
           "198.51.100.9", at(3, 12), "spam",
           "Buy cheap viagra online without prescription https://pills.example.net/order"),
    Sample(5, SECOND, None, "Dora", "dora@example.org", "", "192.0.2.40", at(4, 8), "trash",
           "Something the moderator removed."),
    Sample(6, SECOND, None, "Eve", "eve@example.org", "", "192.0.2.41", at(5, 8), "approved",
           "Great read, thank you."),
]  # fmt: skip
TITLES = {HELLO: "Hello world!", SECOND: "Second post"}
# The same comments as typed in systems that store Markdown (Isso, Remark42).
MARKDOWN = {1: "I don't *agree*.\n\nHere's **why**: [read this](https://example.org/why).",
            3: "A reply to a reply: *depth two*."}  # fmt: skip


def markdown(s: Sample) -> str:
    return MARKDOWN.get(s.id, s.html)


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def wxr_comment(s: Sample, kind: str = "comment") -> str:
    approved = {"approved": "1", "pending": "0"}.get(s.state, s.state)
    return f"""
		<wp:comment>
			<wp:comment_id>{s.id}</wp:comment_id>
			<wp:comment_author><![CDATA[{s.author}]]></wp:comment_author>
			<wp:comment_author_email><![CDATA[{s.email}]]></wp:comment_author_email>
			<wp:comment_author_url>{escape(s.website)}</wp:comment_author_url>
			<wp:comment_author_IP><![CDATA[{s.ip}]]></wp:comment_author_IP>
			<wp:comment_date><![CDATA[{_date(s.when)}]]></wp:comment_date>
			<wp:comment_date_gmt><![CDATA[{_date(s.when)}]]></wp:comment_date_gmt>
			<wp:comment_content><![CDATA[{s.html}]]></wp:comment_content>
			<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
			<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
			<wp:comment_parent>{s.parent or 0}</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
		</wp:comment>"""


def wxr_item(post_id: int, link: str, title: str, comments: str) -> str:
    return f"""
	<item>
		<title><![CDATA[{title}]]></title>
		<link>{escape(link)}</link>
		<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
		<dc:creator><![CDATA[admin]]></dc:creator>
		<guid isPermaLink="false">{SITE}/?p={post_id}</guid>
		<description></description>
		<content:encoded><![CDATA[<p>The article.</p>]]></content:encoded>
		<wp:post_id>{post_id}</wp:post_id>
		<wp:post_date><![CDATA[2024-01-01 10:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2024-01-01 10:00:00]]></wp:post_date_gmt>
		<wp:comment_status><![CDATA[open]]></wp:comment_status>
		<wp:post_name><![CDATA[post-{post_id}]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>{comments}
	</item>"""


def wxr_document(items: str, encoding: str = "UTF-8") -> str:
    return f"""<?xml version="1.0" encoding="{encoding}" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>Test blog</title>
	<link>{SITE}</link>
	<description>Just another WordPress site</description>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>{SITE}</wp:base_site_url>
	<wp:base_blog_url>{SITE}</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[admin]]></wp:author_login></wp:author>
	<generator>https://wordpress.org/?v=6.1.9</generator>{items}
</channel>
</rss>
"""


def write_wxr(path: Path, *, pingback: bool = True) -> Path:
    hello = "".join(wxr_comment(s) for s in HISTORY if s.article == HELLO)
    if pingback:  # not a comment: skipped
        hello += wxr_comment(Sample(7, HELLO, None, "Other blog", "", "https://other.example/",
                                    "192.0.2.99", at(6, 8), "approved", "[…] linked […]"), "pingback")  # fmt: skip
    second = "".join(wxr_comment(s) for s in HISTORY if s.article == SECOND)
    items = wxr_item(1, HELLO, TITLES[HELLO], hello) + wxr_item(2, SECOND, TITLES[SECOND], second)
    items += wxr_item(3, f"{SITE}/about/", "About", "")  # a page without comments
    path.write_text(wxr_document(items), encoding="utf-8")
    return path


def write_disqus(path: Path) -> Path:
    threads = "".join(
        f"""
  <thread dsq:id="{100 + n}">
    <id>post-{n}</id>
    <forum>testblog</forum>
    <category dsq:id="1"/>
    <link>{link}</link>
    <title>{escape(TITLES[link])}</title>
    <message/>
    <createdAt>2024-01-01T10:00:00Z</createdAt>
    <author><name>admin</name><isAnonymous>false</isAnonymous><username>admin</username></author>
    <isClosed>false</isClosed>
    <isDeleted>false</isDeleted>
  </thread>"""
        for n, link in enumerate((HELLO, SECOND))
    )
    posts = ""
    for s in HISTORY:
        parent = f'\n    <parent dsq:id="{1000 + s.parent}"/>' if s.parent else ""
        message = "".join(f"<p>{p}</p>" for p in s.html.split("\n\n"))
        posts += f"""
  <post dsq:id="{1000 + s.id}">
    <id/>
    <message><![CDATA[{message}]]></message>
    <createdAt>{s.when.strftime("%Y-%m-%dT%H:%M:%SZ")}</createdAt>
    <isDeleted>{"true" if s.state == "trash" else "false"}</isDeleted>
    <isSpam>{"true" if s.state == "spam" else "false"}</isSpam>
    <author>
      <email>{s.email}</email>
      <name>{escape(s.author)}</name>
      <isAnonymous>true</isAnonymous>
    </author>
    <ipAddress>{s.ip}</ipAddress>
    <thread dsq:id="{100 + (0 if s.article == HELLO else 1)}"/>{parent}
  </post>"""
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd'
        ' http://disqus.com/api/schemas/1.0/internals.xsd">\n'
        '  <category dsq:id="1"><forum>testblog</forum><title>General</title>'
        f"<isDefault>true</isDefault></category>{threads}{posts}\n</disqus>\n",
        encoding="utf-8",
    )
    return path


def write_isso(path: Path) -> Path:
    """An Isso database made by Isso itself (its comments are Markdown, IPs anonymised)."""
    from isso import config
    from isso.db import SQLite3

    db = SQLite3(str(path), config.new({"general": {"dbpath": str(path), "max-age": "15m"}}))
    ids: dict[int, int] = {}
    for s in HISTORY:
        uri = s.article.removeprefix(SITE)
        if uri not in db.threads:
            db.threads.new(uri, TITLES[s.article])
        mode = {"approved": 1, "pending": 2}.get(s.state, 1)
        text = markdown(s)
        network = s.ip.rsplit(".", 1)[0] + ".0" if "." in s.ip else "2001:db8::"
        added = db.comments.add(uri, {
            "parent": ids.get(s.parent) if s.parent else None, "created": s.when.timestamp(),
            "mode": mode, "remote_addr": network, "text": text, "author": s.author,
            "email": s.email, "website": s.website or None, "notification": 0,
        })  # fmt: skip
        ids[s.id] = added["id"]
        if s.state in ("spam", "trash"):  # Isso has no spam: a moderator deletes it
            db.comments.delete(added["id"])
    return path


def write_remark42(path: Path) -> Path:
    lines = [json.dumps({"version": 1, "users": [], "posts": [
        {"url": HELLO, "count": 4}, {"url": SECOND, "count": 2}]})]  # fmt: skip
    for s in HISTORY:
        deleted = s.state in ("spam", "trash")
        lines.append(json.dumps({
            "id": f"c-{s.id}", "pid": f"c-{s.parent}" if s.parent else "",
            "text": "" if deleted else f"<p>{s.html}</p>\n", "orig": "" if deleted else markdown(s),
            "user": {"name": s.author, "id": f"anonymous_{s.id}", "picture": "",
                     "ip": "7a2b1c0f9e8d", "admin": False},
            "locator": {"site": "remark", "url": s.article}, "score": 0, "votes": {},
            "time": s.when.strftime("%Y-%m-%dT%H:%M:%S.000000000Z"), "delete": deleted,
            "imported": False, "title": TITLES[s.article],
        }))  # fmt: skip
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path
