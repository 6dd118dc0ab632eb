"""`make screenshots`: pictures of what a site owner gets, written to docs/screenshots/.

Starts a throwaway `rejoinder serve --demo`, seeds a thread (replies, votes, a held comment),
signs a moderator in, and photographs each page in PAGES at 1280 and 390 px wide, in light and
dark, with Debian's Chromium (Playwright with ``executable_path``; no browser is downloaded).
The PNGs are cut at a fixed height and reduced to a small palette so the repository stays small.

Adding a page is one line in PAGES.

    python scripts/screenshots.py [--out docs/screenshots] [--only demo]
"""

from __future__ import annotations

import argparse
import html
import io
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the test suite's server helpers start the real server

from tests.support.server import LiveServer, run_cli, start_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
MODERATOR, PASSWORD = "owner@example.org", "screenshots-password-1"
WIDTHS = {"wide": (1280, 1400), "phone": (390, 1700)}  # width, the height kept
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
COLOURS = 96  # palette size of the saved PNGs


@dataclass(frozen=True)
class Shot:
    name: str
    path: str  # "{site}" is the demo site's number
    wait: str  # a selector that is visible once the page is ready
    js: bool = True
    admin: bool = False  # needs a signed-in moderator


PAGES = [
    Shot("demo", "/demo/", "[data-rejoinder-thread] article.rj-comment"),
    Shot("thread-nojs", "/t/{site}/welcome", "article.rj-comment", js=False),
    Shot("admin-pending", "/admin/queue/pending", "main", admin=True),
    Shot("admin-spam", "/admin/queue/spam", "main", admin=True),
    Shot("admin-stats", "/admin/sites/{site}/stats", "svg.rm-chart", admin=True),
    Shot("digest-mail", "mail:digest", "pre"),  # the daily digest as a mail reader shows it
    Shot("digest-link", "{digest_link}", "main form button"),  # one of its one-click links
]
MAIL_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="color-scheme" content="light dark"><title>{subject}</title><style>'
    "body{{font:15px/1.5 system-ui,sans-serif;margin:0;padding:1rem}}"
    "h1{{font-size:1.05rem}}pre{{white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.45 "
    "ui-monospace,monospace}}</style></head><body><h1>{subject}</h1><pre>{body}</pre></body></html>"
)

SEED = [
    ("Grace", "grace@example.org", "Lovely write-up. The part about **keyed hashes** is what I was missing."),
    ("Linus", "linus@example.org", "Works without JavaScript too, nice. Here is a snippet:\n\n```\nrejoinder serve --demo\n```"),
    ("Margaret", "", "How does it compare to Akismet on a busy blog? Any numbers?"),
]  # fmt: skip


def seed(server: LiveServer, site: str) -> None:
    """A few comments through the public API, a reply, votes and one held comment."""
    headers = {"Origin": site, "Referer": f"{site}/demo/",
               "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"}  # fmt: skip
    with httpx.Client(base_url=site, headers=headers, timeout=30) as client:
        ids = []
        for author, email, text in SEED:
            body = {"site": site, "thread": "welcome", "author": author, "email": email,
                    "text": text}  # fmt: skip
            ids.append(client.post("/api/v1/comments", json=body).json()["comment"]["id"])
        reply = {"site": site, "thread": "welcome", "author": "Ada", "parent": ids[2],
                 "text": "The engine's own numbers are in docs/spam-engine.md."}  # fmt: skip
        client.post("/api/v1/comments", json=reply)
        for comment_id, value in ((ids[0], 1), (ids[0], 1), (ids[1], 1), (ids[2], -1)):
            client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": value})
        held = {"site": site, "thread": "welcome", "author": "akismet-guaranteed-spam",
                "text": "Cheap watches at https://spam.example.net/deal"}  # fmt: skip
        client.post("/api/v1/comments", json=held)


def sign_in(ctx: BrowserContext, base: str) -> None:
    page = ctx.new_page()
    page.goto(f"{base}/admin/")
    page.get_by_label("Email").fill(MODERATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/**")
    page.close()


def small_png(raw: bytes, height: int) -> bytes:
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    image = image.crop((0, 0, image.width, min(image.height, height)))
    out = io.BytesIO()
    image.quantize(COLOURS, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def digest(server: LiveServer, site: str, env: dict[str, str]) -> tuple[str, str]:
    """The moderator's daily digest as it would go out now (printed, not sent): the page that
    shows it, and the path of its first one-click link."""
    run_cli(server.data_dir, "moderators", "notify", MODERATOR, "digest", env=env)
    printed = run_cli(server.data_dir, "moderators", "digest", MODERATOR,
                      env={**env, "REJOINDER_PUBLIC_URL": site}).stdout  # fmt: skip
    head, _, body = printed.partition("\n\n")
    subject = head.removeprefix("Subject: ").strip()
    link = next(word for word in body.split() if "/notify/act/" in word)
    page = MAIL_PAGE.format(subject=html.escape(subject), body=html.escape(body.strip()))
    return page, link.removeprefix(site)


def photograph(browser: Browser, base: str, site_id: int, out: Path, only: set[str],
               mail: tuple[str, str]) -> None:  # fmt: skip
    for label, (width, height) in WIDTHS.items():
        for scheme in SCHEMES:
            contexts: dict[bool, BrowserContext] = {}
            for shot in PAGES:
                if only and shot.name not in only:
                    continue
                ctx = contexts.get(shot.js)
                if ctx is None:
                    ctx = contexts[shot.js] = browser.new_context(
                        viewport={"width": width, "height": 900}, color_scheme=scheme,
                        java_script_enabled=shot.js, device_scale_factor=1,
                    )  # fmt: skip
                    if shot.js:  # the admin pages need a session; the rest do not mind one
                        sign_in(ctx, base)
                page = ctx.new_page()
                if shot.path == "mail:digest":
                    page.set_content(mail[0])
                else:
                    path = shot.path.replace("{site}", str(site_id))
                    page.goto(base + path.replace("{digest_link}", mail[1]))
                page.locator(shot.wait).first.wait_for()
                name = f"{shot.name}-{label}-{scheme}.png"
                (out / name).write_bytes(small_png(page.screenshot(full_page=True), height))
                print(f"{name}\t{(out / name).stat().st_size // 1024} KB")
                page.close()
            for ctx in contexts.values():
                ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", action="append", default=[], help="a page's name (repeatable)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {"REJOINDER_COMMENT_RATE_LIMIT": "0"}
    with tempfile.TemporaryDirectory() as work:
        server = start_server(Path(work), env=env, args=("--demo",))
        try:
            site = server.url
            run_cli(server.data_dir, "sites", "policy", site, "--on-spam", "hold", env=env)
            run_cli(server.data_dir, "moderators", "add", MODERATOR, "--role", "admin",
                    "--password-stdin", env=env, input_text=PASSWORD + "\n")  # fmt: skip
            seed(server, site)
            mail = digest(server, site, env)
            listed = httpx.get(
                f"{site}/api/v1/comments", params={"site": site, "thread": "welcome"}
            )
            site_id = int(listed.json()["site_id"])
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    photograph(browser, site, site_id, args.out, set(args.only), mail)
                finally:
                    browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
