"""The owner's pages and numbers, in process on a real SQLite file: daily counters from every
path (engine outcomes, moderators' corrections), the Stats page's SVG and table, the stats API,
counts in the navigation, the Discarded queue and restoring from it, the admin's rough edges."""

from __future__ import annotations

import re
from dataclasses import replace

from starlette.testclient import TestClient

from rejoinder.core.records.comments import Disposition, Status
from rejoinder.core.records.moderation import Decision
from rejoinder.web.admin_i18n import STRINGS
from tests.moderation.conftest import SITE_A, Browser, World

SPAM_AUTHOR = "akismet-guaranteed-spam"


def one_of_each(world: World) -> dict[str, int]:
    """A published, a held, a filed and a discarded comment on site A (ids by outcome)."""
    comments = world.services.comments
    published = world.post("Thanks for the clear write-up on the budget.").comment
    assert published is not None and published["status"] == "published"
    held = world.held("Held for a look at the numbers")
    policy = comments.policy(world.site_id(SITE_A))
    comments.set_policy(SITE_A, replace(policy, on_spam=Disposition.SPAM))
    filed = world.post("cheap pills here", author=SPAM_AUTHOR).token
    assert filed is not None
    comments.set_policy(SITE_A, replace(policy, on_spam=Disposition.DISCARD))
    discarded = world.post("cheap pills again", author=SPAM_AUTHOR)
    comments.set_policy(SITE_A, policy)
    assert discarded.token is None and discarded.status is Status.PENDING  # told "awaits"
    ids = {s.value: [i.id for i in q] for s, q in queues(world).items()}
    return {"published": published["id"], "held": held, "spam": ids["spam"][0],
            "discarded": ids["discarded"][0]}  # fmt: skip


def queues(world: World) -> dict[Status, list[object]]:
    from rejoinder.core.records.moderation import Queue
    from rejoinder.moderation.queue import Filters

    found = {}
    for queue in (Queue.SPAM, Queue.DISCARDED):
        found[queue.status] = world.services.moderation.queue(world.boss, queue, Filters()).items
    return found  # type: ignore[return-value]


def test_counters_follow_outcomes_and_corrections_into_the_stats_api(
    world: World, app_client: TestClient
) -> None:
    ids = one_of_each(world)
    actor = world.actor(world.admin)
    moderation = world.services.moderation
    missed = moderation.decide(actor, [ids["published"]], Decision.SPAM)
    restored = moderation.decide(actor, [ids["discarded"]], Decision.RESTORE)
    assert restored.changed == [ids["discarded"]] and restored.learned == 1  # taught "ham"
    again = moderation.decide(actor, [ids["held"]], Decision.RESTORE)
    assert again.unchanged == [ids["held"]]  # only filed or discarded comments come back
    assert missed.changed == [ids["published"]]
    token = world.services.auth.create_token("admin@a.example.com")
    site = world.site_id(SITE_A)
    headers = {"Authorization": f"Bearer {token}"}
    answer = app_client.get(f"/api/v1/moderation/sites/{site}/stats?days=7", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["days"]) == 7 and body["last_day"] == world.clock().strftime("%Y-%m-%d")
    today = body["days"][-1]
    assert {k: today[k] for k in ("published", "held", "spam", "discarded", "missed_spam",
                                  "false_positives")} == {
        "published": 1, "held": 1, "spam": 1, "discarded": 1, "missed_spam": 1,
        "false_positives": 1}  # fmt: skip
    assert today["accuracy"] == 0.5 and body["days"][0]["accuracy"] is None
    assert body["totals"]["published"] == 1
    other = world.site_id("https://b.example.com")
    forbidden = app_client.get(f"/api/v1/moderation/sites/{other}/stats", headers=headers)
    assert forbidden.status_code == 403
    bad = app_client.get(f"/api/v1/moderation/sites/{site}/stats?days=8", headers=headers)
    assert bad.status_code == 422


def test_stats_page_draws_the_numbers_as_svg_and_a_table(world: World, browser: Browser) -> None:
    one_of_each(world)
    browser.login("boss@example.com")
    site = world.site_id(SITE_A)
    html = browser.client.get(f"/admin/sites/{site}/stats?days=7").text
    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = dict(re.findall(r'data-kind="(\w+)" data-count="(\d+)"', svg))
    assert bars == {"published": "1", "held": "1", "spam": "1", "discarded": "1"}
    assert 'role="img"' in svg and "<title" in svg and "<script" not in svg
    assert re.search(r'data-total="total">4<', html)
    assert re.search(r'data-total="accuracy">100.0 %<', html)  # nobody corrected anything yet
    german = browser.client.get(f"/admin/sites/{site}/stats", headers={"Accept-Language": "de"})
    assert "Statistik für https://a.example.com" in german.text and 'lang="de"' in german.text
    assert browser.client.get(f"/admin/sites/{site}/stats?days=5").status_code == 422
    sites = browser.client.get("/admin/sites").text
    assert f'href="/admin/sites/{site}/stats"' in sites and f"/admin/sites/{site}/policy" in sites


def test_navigation_counts_and_the_discarded_queue(world: World, browser: Browser) -> None:
    ids = one_of_each(world)
    browser.login("admin@a.example.com")
    pending = browser.client.get("/admin/queue/pending").text
    nav = pending[pending.index("<nav") : pending.index("</nav>")]
    counts = dict(re.findall(r'href="/admin/queue/(\w+)"[^>]*>[^<]*<span class="rm-count" '
                             r'data-count="(\d+)"', nav))  # fmt: skip
    assert counts == {"pending": "1", "spam": "1", "discarded": "1"}
    assert "Policy:" not in nav  # one "Sites" link, however many sites: no wrapping
    assert not re.search(r'<p class="rm-who"> ·', pending)
    discarded = browser.client.get("/admin/queue/discarded").text
    assert f'value="{ids["discarded"]}:restore"' in discarded
    assert "Kept for 7 days" in discarded
    spam_page = browser.client.get(f"/admin/c/{ids['spam']}").text
    assert f'value="{ids["spam"]}:spam"' not in spam_page  # no "Spam" on a comment in Spam
    assert f'value="{ids["spam"]}:not_spam"' in spam_page
    held_page = browser.client.get(f"/admin/c/{ids['held']}").text
    assert 'name="kind"' in held_page and " checked" not in held_page  # no ban preselected
    done = browser.post("/admin/act", {"single": f"{ids['discarded']}:not_spam",
                                       "_csrf": browser.csrf(), "back": "/admin/queue/discarded"})  # fmt: skip
    assert done.status_code == 303  # type: ignore[attr-defined]
    after = browser.client.get("/admin/queue/pending").text
    assert 'data-count="1">1</span>' in after and '/admin/queue/discarded"' in after
    assert 'href="/admin/queue/discarded">' in after  # the count badge is gone with the queue


def test_every_admin_string_exists_in_every_language() -> None:
    for lang, table in STRINGS.items():
        assert set(table) == set(STRINGS["en"]), lang
        assert all(value.strip() for value in table.values()), lang
