from __future__ import annotations

from tests.moderation.conftest import Browser, World


def test_smoke(world: World, browser: Browser) -> None:
    cid = world.held("Buy <b>cheap</b> pills http://spam.example/x")
    response = browser.login("admin@a.example.com")
    assert response.status_code == 303, response.text
    page = browser.client.get("/admin/queue/pending")
    assert page.status_code == 200, page.text
    assert "cheap" in page.text
    detail = browser.client.get(f"/admin/c/{cid}")
    assert detail.status_code == 200, detail.text
    token = browser.csrf()
    done = browser.post(
        "/admin/act", {"_csrf": token, "single": f"{cid}:spam", "back": "/admin/queue/pending"}
    )
    assert done.status_code == 303, done.text
    print(done.headers["location"])
    for path in (
        "/admin/bans",
        "/admin/log",
        f"/admin/sites/{world.site_id('https://a.example.com')}/policy?hold=0.3",
    ):
        r = browser.client.get(path)
        assert r.status_code == 200, (path, r.text)
