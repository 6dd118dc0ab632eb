"""The demo: a site for this server's own address, a welcome thread, and a policy that lets the
demo page be reached as 127.0.0.1 or localhost."""

from __future__ import annotations

from dataclasses import replace

from rejoinder.comments import sanitize
from rejoinder.comments.service import CommentService
from rejoinder.core.records.comments import Status
from rejoinder.storage import comments as store
from rejoinder.storage import listing
from rejoinder.storage import threads as thread_store

DEMO_THREAD = "welcome"
WELCOME = [
    (
        "rejoinder",
        "Welcome! This thread is **live**: reply to this comment, or leave your own below.",
    ),
    (
        "A reader",
        "Markdown works, links get `nofollow ugc`: see [the docs](https://example.com/docs).",
    ),
]


def demo_site_url(host: str, port: int) -> str:
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def seed_demo(service: CommentService, site_url: str, port: int) -> None:
    """Allow both loopback names as origins and put two comments in the demo thread once."""
    site = service.site(site_url)
    policy = service.policy(site.id)
    origins = {f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"}
    service.set_policy(site_url, replace(policy, allowed_origins=tuple(sorted(origins))))
    now = service.clock()
    with service.db.begin() as conn:
        thread = thread_store.ensure_thread(
            conn, site.id, DEMO_THREAD, f"{site_url}/demo/", "Hello from rejoinder", now
        )
        if listing.count_published(conn, [thread.id]):
            return
        parent: int | None = None
        for author, text in WELCOME:
            fields = sanitize.clean_author_fields(author, "", "")
            parent = store.insert_comment(
                conn,
                store.CommentRecord(
                    thread_id=thread.id,
                    parent_id=parent,
                    root_id=parent,
                    depth=0 if parent is None else 1,
                    status=Status.PUBLISHED,
                    author=fields.author,
                    email="",
                    email_hash=None,
                    website="",
                    author_html=fields.author_html,
                    text=text,
                    html=sanitize.render_markdown(text),
                    created_at=now,
                    probability=None,
                    hits=[],
                    ip_hash=None,
                    ip_prefix_hash=None,
                    ua_family="",
                ),
            )
