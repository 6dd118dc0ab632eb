"""Sign-in: passwords, sessions (fixation, expiry, logout), brute force, redirects (D9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.core.records.moderation import Role
from rejoinder.errors import RateLimited, Unauthorized, ValidationFailed
from rejoinder.spam.submission import parse_ip
from tests.moderation.conftest import ORIGIN, PASSWORD, SITE_A, Browser, Clock, World, make_world
from tests.support.server import run_cli


def test_passwords_are_argon2_and_checked(world: World) -> None:
    from rejoinder.storage.moderation import credentials

    with world.services.db.read() as conn:
        creds = credentials(conn, "admin@a.example.com")
    assert creds is not None and creds.password_hash.startswith("$argon2id$")
    assert PASSWORD not in creds.password_hash
    with pytest.raises(ValidationFailed, match="at least 10"):
        world.services.auth.add("short@example.com", "short", None, Role.MODERATOR)
    session = world.services.auth.login("ADMIN@a.example.com ", PASSWORD, None)
    assert session.moderator.email == "admin@a.example.com"
    with pytest.raises(Unauthorized):
        world.services.auth.login("admin@a.example.com", "wrong password!", None)
    with pytest.raises(Unauthorized):
        world.services.auth.login("nobody@example.com", PASSWORD, None)


def test_login_sets_a_strict_httponly_cookie_and_rotates_it(world: World, browser: Browser) -> None:
    browser.client.cookies.set("rejoinder_admin", "attacker-chosen-session-id", path="/admin")
    response = browser.login("admin@a.example.com")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # served over http here; see the https test below
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert value != "attacker-chosen-session-id"
    # The value the attacker planted never becomes a session (ids are made by the server).
    assert world.services.auth.session("attacker-chosen-session-id") is None
    assert world.services.auth.session(value) is not None
    # A second login makes a new id and ends the one before (no fixation, no reuse).
    again = browser.login("admin@a.example.com")
    new_value = again.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
    assert new_value != value
    assert world.services.auth.session(value) is None
    assert world.services.auth.session(new_value) is not None


def test_cookie_is_secure_when_served_over_https(tmp_path: Path, clock: Clock) -> None:
    world = make_world(tmp_path, clock, REJOINDER_PUBLIC_URL="https://comments.example.com")
    with TestClient(create_app(world.settings, world.services)) as client:
        browser = Browser(client)
        page = client.get("/admin/login")
        token = page.text.split('name="_form" value="')[1].split('"')[0]
        response = client.post(
            "/admin/login", data={"_form": token, "email": "boss@example.com", "password": PASSWORD},
            headers={"Origin": "https://comments.example.com"}, follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text
        assert "Secure" in response.headers["set-cookie"]
        del browser
    world.services.db.dispose()


def test_only_the_server_stores_session_ids_hashed(world: World) -> None:
    from sqlalchemy import select

    from rejoinder.storage.schema import moderator_sessions

    session = world.services.auth.login("admin@a.example.com", PASSWORD, None)
    with world.services.db.read() as conn:
        stored = [r[0] for r in conn.execute(select(moderator_sessions.c.id_hash))]
    assert session.cookie not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_sessions_expire_and_logout_ends_them(world: World, browser: Browser) -> None:
    browser.login("admin@a.example.com")
    assert browser.client.get("/admin/queue/pending", follow_redirects=False).status_code == 200
    token = browser.csrf()
    assert browser.post("/admin/logout", {"_csrf": token}).status_code == 303
    gone = browser.client.get("/admin/queue/pending", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/admin/login")

    session = world.services.auth.login("admin@a.example.com", PASSWORD, None)
    world.clock.advance(world.settings.admin_session_hours * 3600 + 1)
    assert world.services.auth.session(session.cookie) is None


def test_brute_force_is_refused_per_account_even_with_the_right_password(world: World) -> None:
    auth = world.services.auth
    for i in range(world.settings.login_max_failures):
        with pytest.raises(Unauthorized):
            auth.login("admin@a.example.com", f"guess number {i}", parse_ip(f"198.51.{i}.9"))
    with pytest.raises(RateLimited) as refused:
        auth.login("admin@a.example.com", PASSWORD, parse_ip("192.0.2.1"))
    assert refused.value.retry_after > 0
    # Another account is not locked out by it.
    assert auth.login("boss@example.com", PASSWORD, parse_ip("192.0.2.1")).moderator
    world.clock.advance(world.settings.login_window_minutes * 60 + 1)
    assert auth.login("admin@a.example.com", PASSWORD, parse_ip("192.0.2.1")).moderator


def test_brute_force_is_refused_per_network_across_accounts(world: World) -> None:
    auth = world.services.auth
    limit = world.settings.login_max_failures_network
    for i in range(limit):  # spread over many accounts: no single account reaches its limit
        with pytest.raises(Unauthorized):
            auth.login(f"user{i}@example.com", "not the password", parse_ip(f"203.0.113.{i + 1}"))
    with pytest.raises(RateLimited):
        auth.login("boss@example.com", PASSWORD, parse_ip("203.0.113.250"))  # same /24
    assert auth.login("boss@example.com", PASSWORD, parse_ip("198.51.100.1")).moderator


def test_brute_force_over_http_gets_429_never_500(browser: Browser) -> None:
    statuses = [browser.login("admin@a.example.com", f"wrong-{i}-password").status_code
                for i in range(7)]  # fmt: skip
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    assert browser.login("admin@a.example.com").status_code == 429


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/admin/", "/\\evil.example", "/admin/../../x//y",
     "javascript:alert(1)", "/admin/%0d%0aSet-Cookie:x=1", "http:/admin/", "/admin//evil.example"],
)  # fmt: skip
def test_no_open_redirect_after_login(browser: Browser, target: str) -> None:
    response = browser.login("admin@a.example.com", next_path=target)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/admin/") and "evil" not in location and "//" not in location


def test_a_local_next_path_is_followed(browser: Browser) -> None:
    response = browser.login("admin@a.example.com", next_path="/admin/queue/spam")
    assert response.headers["location"] == "/admin/queue/spam"


def test_signed_out_pages_redirect_to_login_with_a_safe_next(app_client: TestClient) -> None:
    response = app_client.get("/admin/queue/spam?q=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=%2Fadmin%2Fqueue%2Fspam")


def test_login_form_needs_its_token_and_same_origin(app_client: TestClient) -> None:
    data = {"_form": "1.bad", "email": "admin@a.example.com", "password": PASSWORD}
    assert app_client.post("/admin/login", data=data, headers={"Origin": ORIGIN}).status_code == 403
    page = app_client.get("/admin/login")
    data["_form"] = page.text.split('name="_form" value="')[1].split('"')[0]
    cross = app_client.post("/admin/login", data=data, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403


def test_cli_add_list_token_remove(tmp_path: Path) -> None:
    data = tmp_path / "cli"
    run_cli(data, "sites", "add", SITE_A)
    added = run_cli(
        data, "moderators", "add", "Ann@Example.com", "--site", SITE_A, "--role", "admin"
    )
    password = added.stdout.strip().splitlines()[-1]
    assert len(password) >= 16
    piped = run_cli(data, "moderators", "add", "bob@example.com", "--password-stdin",
                    input_text="a long enough password\n")  # fmt: skip
    assert piped.returncode == 0 and "bob@example.com" in piped.stdout
    listing = run_cli(data, "moderators", "list").stdout
    assert "ann@example.com\tadmin@https://a.example.com" in listing
    assert "bob@example.com\tmoderator@every site" in listing
    token = run_cli(data, "moderators", "token", "bob@example.com").stdout.strip().splitlines()[-1]
    assert token.startswith("rjm_")
    bad = run_cli(data, "moderators", "add", "x@example.com", "--role", "king", check=False)
    assert bad.returncode == 1 and "--role must be" in bad.stderr
    run_cli(data, "moderators", "remove", "bob@example.com")
    assert "bob@" not in run_cli(data, "moderators", "list").stdout
    missing = run_cli(data, "moderators", "remove", "bob@example.com", check=False)
    assert missing.returncode == 1 and "No such moderator" in missing.stderr


def test_serve_demo_makes_a_demo_admin_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from rejoinder.cli import server as cli

    world.services.auth.remove("admin@a.example.com")
    world.services.auth.remove("mod@b.example.com")
    world.services.auth.remove("boss@example.com")
    cli._ensure_demo_moderator(world.services, "http://127.0.0.1:8080")
    printed = capsys.readouterr().out
    assert "sign in as admin@example.com with password" in printed
    password = printed.split("with password")[1].split()[0]
    session = world.services.auth.login("admin@example.com", password, None)
    assert session.moderator.roles == {None: Role.ADMIN}
    cli._ensure_demo_moderator(world.services, "http://127.0.0.1:8080")
    assert "moderators exist" in capsys.readouterr().out
    assert len(world.services.auth.all()) == 1
