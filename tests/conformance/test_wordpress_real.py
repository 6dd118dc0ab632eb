"""WordPress for real: Debian's `wordpress` (6.1.9, Akismet 5.0.2 bundled) on MariaDB and PHP's
built-in server, set up by following docs/akismet.md to the letter (the test takes the
`wp-config.php` lines and the must-use plugin from the page), driven through WordPress' own
comment form and admin screens, and checked in `wp_comments` / `wp_commentmeta` and in what
rejoinder stored. Everything it starts it stops (tests/support/wordpress.py).
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rejoinder.migration.records import ExportFormat, Format
from rejoinder.migration.service import MigrationService
from tests.support.environment import require
from tests.support.server import LiveServer, run_cli, start_server
from tests.support.wordpress import MariaDB, WordPress, doc_blocks, form_fields, missing_tools
from tests.support.world import make_services

DOC = Path(__file__).resolve().parents[2] / "docs" / "akismet.md"
PHARMA = "Buy cheap viagra online without prescription, visit https://pills.example.net/order now"
LINK_FARM = "Deals " + " ".join(f"https://deals{i}.example.net/buy" for i in range(20))
TEST_ONLY = """<?php
// Test set-up, not part of docs/akismet.md: every comment here comes from 127.0.0.1, faster
// than WordPress' flood check allows one address to comment.
add_filter( 'comment_flood_filter', '__return_false', 20 );
"""


@dataclass
class Site:
    wp: WordPress
    db: MariaDB
    rejoinder: LiveServer
    key: str
    key_screen: str  # the settings page after the key was typed in

    def sql(self, query: str) -> list[list[str]]:
        return self.db.sql(query)

    def stored(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows from rejoinder's own database."""
        conn = sqlite3.connect(f"file:{self.rejoinder.data_dir / 'rejoinder.db'}?mode=ro", uri=True)
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()

    def comment(self, author: str, text: str, email: str = "") -> str | None:
        """Post through the article's comment form as a reader; the new comment's id."""
        reader = self.wp.client()
        page = reader.get("/?p=1").text
        fields = form_fields(page, r'<form[^>]*id="commentform".*?</form>')
        last = self.sql("SELECT COALESCE(MAX(comment_ID), 0) FROM wp_comments")[0][0]
        reader.post("/wp-comments-post.php", headers={"Referer": f"{self.wp.url}/?p=1"}, data={
            **fields, "author": author, "email": email or f"{re.sub('[^a-z]', '', author.lower())}@example.org",
            "url": "", "comment": text})  # fmt: skip
        new = self.sql(f"SELECT comment_ID FROM wp_comments WHERE comment_ID > {last}")
        return new[0][0] if new else None

    def status(self, comment_id: str) -> str:
        return self.sql(
            f"SELECT comment_approved FROM wp_comments WHERE comment_ID = {comment_id}"
        )[0][0]

    def meta(self, comment_id: str, key: str) -> list[str]:
        rows = self.sql(f"SELECT meta_value FROM wp_commentmeta WHERE comment_id = {comment_id} "
                        f"AND meta_key = '{key}' ORDER BY meta_id")  # fmt: skip
        return [r[0] for r in rows]

    def moderate(self, comment_id: str, action: str) -> None:
        """Click "Spam" / "Not spam" in *Comments*, as the administrator."""
        admin = self.wp.client(admin=True)
        listing = admin.get("/wp-admin/edit-comments.php?comment_status=all").text
        listing += admin.get("/wp-admin/edit-comments.php?comment_status=spam").text
        link = re.search(rf"comment\.php\?c={comment_id}&(?:amp;|#038;)action={action}"
                         r"&(?:amp;|#038;)_wpnonce=([0-9a-f]+)", listing)  # fmt: skip
        assert link is not None, f"no {action} link for comment {comment_id}"
        admin.get(f"/wp-admin/comment.php?c={comment_id}&action={action}&_wpnonce={link.group(1)}")

    def settings_page(self) -> str:
        return (
            self.wp.client(admin=True)
            .get("/wp-admin/options-general.php?page=akismet-key-config")
            .text
        )


def apply_the_doc(wp: WordPress, rejoinder_url: str) -> Path:
    """docs/akismet.md, steps 2 and 3, verbatim but for the example values."""
    blocks = doc_blocks(DOC.read_text())
    (defines,) = [b for b in blocks if "define( 'REJOINDER_URL'" in b]
    (mu_plugin,) = [b for b in blocks if "pre_http_request" in b]
    defines = defines.replace("https://comments.example.com", rejoinder_url)
    # WPCOM_API_KEY is optional ("or type the key in Settings → Akismet"): this site types it.
    wp.add_to_config(
        "\n".join(line for line in defines.splitlines() if "WPCOM_API_KEY" not in line)
    )
    return wp.mu_plugin("rejoinder-akismet.php", mu_plugin)


def activate_akismet(wp: WordPress) -> None:
    admin = wp.client(admin=True)
    plugins = admin.get("/wp-admin/plugins.php").text
    link = re.search(
        r'href="(plugins\.php\?action=activate&amp;plugin=akismet%2Fakismet\.php[^"]*)"', plugins
    )
    assert link is not None, "no Activate link for Akismet"
    admin.get("/wp-admin/" + link.group(1).replace("&amp;", "&"))


def type_the_key(wp: WordPress, key: str) -> str:
    admin = wp.client(admin=True)
    page = admin.get("/wp-admin/options-general.php?page=akismet-key-config").text
    form = form_fields(page, r'<form[^>]*>(?:(?!</form>).)*name="key"(?:(?!</form>).)*</form>')
    return admin.post("/wp-admin/options-general.php?page=akismet-key-config",
                      data={**form, "key": key}).text  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    missing = missing_tools()
    require(not missing, f"not installed: {', '.join(missing)}")
    root = tmp_path_factory.mktemp("wordpress")
    db = MariaDB(root / "mariadb")
    wp = WordPress(root, db)
    rejoinder: LiveServer | None = None
    try:
        db.start()
        wp.start()
        rejoinder = start_server(root / "rejoinder", blog=wp.url)  # --site is the Site Address
        run_cli(rejoinder.data_dir, "sites", "set-thresholds", wp.url, "--discard", "0.99")
        apply_the_doc(wp, rejoinder.url)
        wp.mu_plugin("zz-test-only.php", TEST_ONLY)
        wp.install()
        # WordPress' own default holds a first comment from anyone: not what is tested here.
        db.sql(
            "UPDATE wp_options SET option_value = '0' WHERE option_name = 'comment_previously_approved'"
        )
        activate_akismet(wp)
        yield Site(wp, db, rejoinder, rejoinder.key, type_the_key(wp, rejoinder.key))
    finally:
        if rejoinder is not None:
            rejoinder.stop()
        wp.stop()
        db.stop()


def test_the_key_screen_accepts_a_generated_key(site: Site) -> None:
    assert re.fullmatch("[0-9a-f]{12}", site.key)
    assert site.sql(
        "SELECT option_value FROM wp_options WHERE option_name = 'wordpress_api_key'"
    ) == [[site.key]]
    assert "Statistics" in site.key_screen and "invalid" not in site.key_screen.lower()


def test_a_friendly_comment_is_approved_and_stored_as_typed(site: Site) -> None:
    text = 'I don\'t think the "quick start" guide covers this, but thanks! C:\\temp helped.'
    comment = site.comment("Seán O'Brien", text)
    assert comment is not None and site.status(comment) == "1"
    assert site.meta(comment, "akismet_result") == ["false"]
    (row,) = site.stored(
        "SELECT author, content, action FROM checks WHERE author = ?", "Seán O'Brien"
    )
    assert row == ("Seán O'Brien", text, "accept")  # WordPress' slashes taken off, once


def test_guaranteed_spam_is_filed_as_spam(site: Site) -> None:
    comment = site.comment("akismet-guaranteed-spam", "Testing the spam path of this blog.")
    assert comment is not None and site.status(comment) == "spam"
    assert site.meta(comment, "akismet_result") == ["true"]


def set_discard(site: Site, discard: bool) -> None:
    admin = site.wp.client(admin=True)
    page = admin.get("/wp-admin/options-general.php?page=akismet-key-config").text
    form = form_fields(
        page, r"<form[^>]*>(?:(?!</form>).)*akismet_strictness(?:(?!</form>).)*</form>"
    )
    admin.post("/wp-admin/options-general.php?page=akismet-key-config",
               data={**form, "akismet_strictness": "1" if discard else "0"})  # fmt: skip
    assert site.sql("SELECT option_value FROM wp_options WHERE option_name = 'akismet_strictness'") == [
        ["1" if discard else "0"]]  # fmt: skip


def test_the_worst_spam_follows_the_discard_setting(site: Site) -> None:
    set_discard(site, True)
    assert site.comment("Deals One", LINK_FARM + " one") is None  # discarded: never stored
    set_discard(site, False)
    kept = site.comment("Deals Two", LINK_FARM + " two")
    assert kept is not None and site.status(kept) == "spam"
    actions = [a for (a,) in site.stored("SELECT action FROM checks WHERE content LIKE 'Deals %'")]
    assert actions == ["discard", "discard"]  # rejoinder said so both times


def test_spam_and_not_spam_reach_rejoinder_and_match_their_checks(site: Site) -> None:
    caught = site.comment("Pat Reader", PHARMA)
    assert caught is not None and site.status(caught) == "spam"
    site.moderate(caught, "unspamcomment")  # "Not spam"
    assert site.status(caught) != "spam"
    missed = site.comment("Quinn", "Lovely photos of the harbour, where were they taken?")
    assert missed is not None and site.status(missed) == "1"
    site.moderate(missed, "spamcomment")  # "Spam"
    assert site.status(missed) == "spam"
    reports = site.stored(
        "SELECT f.label, c.content FROM feedback f JOIN checks c ON c.id = f.check_id "
        "WHERE f.source = 'akismet' ORDER BY f.id")  # the plugin sends no guid: matched  # fmt: skip
    assert ("ham", PHARMA) in reports and (
        "spam",
        "Lovely photos of the harbour, where were they taken?",
    ) in reports
    ((false_positives, missed_spam),) = site.stored(
        "SELECT false_positives, missed_spam FROM usage"
    )
    assert false_positives >= 1 and missed_spam >= 1


def test_check_for_spam_respects_the_moderator(site: Site) -> None:
    comment = site.comment("Robin", PHARMA + " (second)")
    assert comment is not None and site.status(comment) == "spam"
    site.moderate(comment, "unspamcomment")
    assert site.status(comment) == "0"  # back in the pending queue, where rechecks look
    admin = site.wp.client(admin=True)
    nonce = re.search(r'data-nonce="([0-9a-f]+)"', admin.get("/wp-admin/edit-comments.php").text)
    assert nonce is not None
    done = admin.post("/wp-admin/admin-ajax.php", data={
        "action": "akismet_recheck_queue", "offset": "0", "limit": "100", "nonce": nonce.group(1)})  # fmt: skip
    assert done.json()["counts"]["spam"] == 0
    assert site.status(comment) == "0"
    assert "recheck-ham" in site.meta(comment, "akismet_history")[-1]
    rechecks = site.stored("SELECT hits FROM checks WHERE content = ? AND extra LIKE '%recheck_queue%'",
                           PHARMA + " (second)")  # fmt: skip
    assert rechecks and "HUMAN_DECISION_HAM" in rechecks[-1][0]


def php_log(site: Site) -> list[str]:
    """What PHP logged (WP_DEBUG_LOG), but the deprecations WordPress 6.1's own code gets
    from PHP 8.2."""
    log = site.wp.debug_log.read_text() if site.wp.debug_log.exists() else ""
    return [line for line in log.splitlines() if line.startswith("[") and "Deprecated" not in line]


def test_the_settings_page_shows_statistics_without_php_warnings(site: Site) -> None:
    assert site.comment("akismet-guaranteed-spam", "One more for the statistics.") is not None
    before = php_log(site)
    page = site.settings_page()
    figures = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    blocked = re.search(r"Past six months (\d+) Spam blocked All time (\d+) Spam blocked", figures)
    assert blocked is not None and int(blocked.group(1)) >= 1 and int(blocked.group(2)) >= 1
    assert re.search(r"Accuracy [\d.]+% \d+ missed spam \| \d+ false positive", figures)
    assert "tools.akismet.com" not in page and "<iframe" not in page  # the mu-plugin's work
    assert php_log(site) == before  # the page logged nothing (issue 16: Undefined property $spam)
    # Nothing the plugin or the mu-plugin did, all along, made PHP complain. (WordPress' own
    # installer and its update checks, refused by WP_HTTP_BLOCK_EXTERNAL, do.)
    assert [line for line in php_log(site) if "akismet" in line or "mu-plugins" in line] == []


def test_a_wordpress_export_imports_exports_and_reimports_identically(
    site: Site, tmp_path: Path
) -> None:
    reply = "Agreed — and *this* is not Markdown in WordPress, <strong>this</strong> is HTML."
    assert site.comment("Seán Export", reply) is not None
    wxr = site.wp.client(admin=True).get("/wp-admin/export.php?download=true&content=all").text
    assert wxr.count("<wp:comment>") >= 2  # WordPress leaves spam out of its exports
    first, second = (make_services(tmp_path / name, (site.wp.url,)) for name in ("a", "b"))
    try:
        (tmp_path / "wordpress.xml").write_text(wxr)
        one = MigrationService(first.db, first.hasher, first.labels)
        one.import_file(Format.WXR, str(tmp_path / "wordpress.xml"), site.wp.url)
        out = io.StringIO()
        one.export(site.wp.url, ExportFormat.WXR, out)
        (tmp_path / "rejoinder.xml").write_text(out.getvalue())
        two = MigrationService(second.db, second.hasher, second.labels)
        two.import_file(Format.WXR, str(tmp_path / "rejoinder.xml"), site.wp.url)
        columns = (
            "c.status, c.author, c.email, c.website, c.text, c.html, c.created_at, c.depth, t.key"
        )
        query = (
            f"SELECT {columns} FROM comments c JOIN threads t ON t.id = c.thread_id ORDER BY c.id"
        )
        with first.db.read() as a, second.db.read() as b:
            rows = a.exec_driver_sql(query).all()
            assert rows and rows == b.exec_driver_sql(query).all()
        assert any(r[1] == "Seán Export" and "\\*this\\*" in r[4] and "**this**" in r[4]
                   for r in rows)  # fmt: skip
    finally:
        first.db.dispose()
        second.db.dispose()
