"""Fuzzing against a real `rejoinder serve` (issue 17): schemathesis over /api/v1/openapi.json,
and hypothesis strategies over the comment JSON API, the Akismet endpoints, the form pages and
the moderation API. Every answer: no 5xx, the usual error shape, nosniff. Bounded: a fixed
number of examples per test, the whole module in about a minute and a half.

Generated inputs reach past the first check: the real site, a real form token, a real
moderator token and real comment ids are mixed into the random ones."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.server import LiveServer, run_cli, start_server
from tests.web.test_akismet_fuzz import encode, garbage, names, values

pytestmark = pytest.mark.slow

EXAMPLES = 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck))  # fmt: skip
MODERATOR = "boss@example.com"
ERROR_TITLE = re.compile(r"<title>(\d{3}) — rejoinder</title>")
AKISMET = ("/1.1/", "/1.2/")


@dataclass
class Target:
    server: LiveServer
    client: httpx.Client
    bearer: dict[str, str]
    site_id: int
    comment_ids: list[int]

    @property
    def site(self) -> str:
        return self.server.blog


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    data_dir = tmp_path_factory.mktemp("fuzz")
    env = {"REJOINDER_COMMENT_RATE_LIMIT": "0", "REJOINDER_BODY_TIMEOUT_S": "5"}
    server = start_server(data_dir, env=env)
    run_cli(data_dir, "moderators", "add", MODERATOR, "--role", "admin", "--password-stdin",
            env=env, input_text="a long fuzzing password\n")  # fmt: skip
    token = run_cli(data_dir, "moderators", "token", MODERATOR, env=env).stdout.split()[-1]
    client = httpx.Client(base_url=server.url, timeout=30)
    posted = client.post("/api/v1/comments", json={"site": server.blog, "thread": "t",
                                                   "text": "A plain first comment."})  # fmt: skip
    assert posted.status_code == 201, posted.text
    listing = client.get("/api/v1/comments", params={"site": server.blog, "thread": "t"})
    site_id = int(listing.json()["site_id"])
    yield Target(server, client, {"Authorization": f"Bearer {token}"}, site_id,
                 [int(posted.json()["comment"]["id"])])  # fmt: skip
    client.close()
    server.stop()
    log = Path(server.log_path).read_text(errors="replace")
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]


def assert_clear(path: str, status: int, headers: Any, body: bytes) -> None:
    """No 5xx but 503 (storage), nosniff, and the usual error body for a 4xx."""
    assert status < 500 or status == 503, (path, status, body[:300])
    assert headers.get("x-content-type-options") == "nosniff", (path, status)
    if status < 400:
        return
    if path.startswith(AKISMET):
        assert status in (408, 413), (path, status)
        return
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/json"):
        error = json.loads(body)["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), body
        return
    assert content_type.startswith("text/html"), (path, status, content_type)
    found = ERROR_TITLE.search(body.decode("utf-8", "replace"))
    assert found is not None and int(found.group(1)) == status, (path, status, body[:300])


def send(target: Target, method: str, path: str, **kw: Any) -> httpx.Response:
    response = target.client.request(method, path, **kw)
    assert_clear(
        path.split("?", maxsplit=1)[0], response.status_code, response.headers, response.content
    )
    return response


# --- schemathesis over the OpenAPI document ------------------------------------------------------
@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE,
                                  schemathesis.GenerationMode.NEGATIVE])  # fmt: skip
def test_schemathesis_over_the_openapi_document(
    target: Target, mode: schemathesis.GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{target.server.url}/api/v1/openapi.json")
    seen: set[str] = set()

    @FUZZ
    @given(case=schema.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=target.server.url, headers=target.bearer, timeout=30)
        seen.add(case.operation.label)
        headers = {name.lower(): values[0] for name, values in response.headers.items()}
        assert_clear(case.formatted_path, response.status_code, headers, response.content)

    check()
    assert len(seen) >= 8, seen  # most of the API's operations were exercised


# --- the comment JSON API --------------------------------------------------------------------------
def odd_numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-(2**70), 2**70), st.integers(0, 50), st.none(), st.booleans(),
        st.floats(allow_nan=True), st.text(max_size=25),
        st.sampled_from(["²", "١٢", "99999999999999999999999", "1e3", "-1", "+1", " 7"]),
    )  # fmt: skip


def q(text: str) -> str:
    """Percent-encoded as it is, lone surrogates included (as bytes no decoder accepts)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def any_text(max_size: int = 300) -> st.SearchStrategy[str]:
    return st.text(alphabet=st.characters(codec=None), max_size=max_size)  # surrogates too


@st.composite
def comment_bodies(draw: st.DrawFn, target: Target) -> bytes:
    body: dict[str, Any] = {
        "site": draw(st.one_of(st.just(target.site), st.just(str(target.site_id)), any_text(40))),
        "thread": draw(st.one_of(st.just("t"), any_text(40))),
        "text": draw(any_text()),
    }
    for name in ("url", "title", "author", "email", "website", "homepage", "form_token", "lang",
                 "commenter_token"):  # fmt: skip
        if draw(st.booleans()):
            body[name] = draw(any_text(60))
    if draw(st.booleans()):
        body["parent"] = draw(st.one_of(odd_numbers(), st.sampled_from(target.comment_ids)))
    if draw(st.booleans()):
        body["notify"] = draw(st.one_of(st.booleans(), any_text(5), st.integers()))
    if draw(st.booleans()):
        body[draw(any_text(20))] = draw(odd_numbers())
    encoded = json.dumps(body, ensure_ascii=True).encode()  # lone surrogates as \\udXXX escapes
    return draw(st.one_of(st.just(encoded), st.binary(max_size=200), st.just(encoded[:-3])))


def test_comment_api_with_fuzzed_bodies(target: Target) -> None:
    @FUZZ
    @given(body=comment_bodies(target), origin=st.sampled_from(["", target.site, "null"]))
    def check(body: bytes, origin: str) -> None:
        headers = {"Content-Type": "application/json", **({"Origin": origin} if origin else {})}
        response = send(target, "POST", "/api/v1/comments", content=body, headers=headers)
        if response.status_code in (201, 202) and response.json()["comment"]:
            target.comment_ids.append(int(response.json()["comment"]["id"]))

    check()


def test_comment_edits_deletes_and_listings(target: Target) -> None:
    @FUZZ
    @given(
        ident=st.one_of(odd_numbers().map(str), st.sampled_from(target.comment_ids).map(str)),
        token=any_text(80), text=any_text(), method=st.sampled_from(["PUT", "DELETE", "GET"]),
        after=odd_numbers().map(str), own=st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=80),
    )  # fmt: skip
    def check(ident: str, token: str, text: str, method: str, after: str, own: str) -> None:
        if method == "GET":
            listing = f"/api/v1/comments?site={q(target.site)}&thread=t&after={q(after)}"
            send(target, "GET", listing, headers={"X-Rejoinder-Own": own.strip().encode("latin-1")})
            send(target, "GET", f"/api/v1/counts?site={q(ident)}&thread={q(text[:50])}")
            return
        body = json.dumps({"token": token, "text": text}, ensure_ascii=True)
        send(target, method, f"/api/v1/comments/{q(ident)}", content=body,
             headers={"Content-Type": "application/json"})  # fmt: skip

    check()


# --- the Akismet endpoints ------------------------------------------------------------------------
AKISMET_PATHS = ["/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham", "/1.1/verify-key",
                 "/1.2/usage-limit", "/1.2/key-sites", "/1.1/get-stats", "/1.1/deactivate"]  # fmt: skip


def test_akismet_endpoints_with_fuzzed_forms(target: Target) -> None:
    @FUZZ
    @given(
        path=st.sampled_from(AKISMET_PATHS),
        pairs=st.lists(st.tuples(names, values), max_size=20),
        raw=st.lists(garbage, max_size=3),
        keyed=st.booleans(),
        content_type=st.sampled_from(["application/x-www-form-urlencoded",
                                      "application/x-www-form-urlencoded; charset=ISO-8859-1",
                                      "multipart/form-data", "application/json", "text/plain", ""]),
    )  # fmt: skip
    def check(path: str, pairs: list[tuple[str, str]], raw: list[bytes], keyed: bool,
              content_type: str) -> None:  # fmt: skip
        if keyed:
            pairs = [("api_key", target.server.key), ("key", target.server.key),
                     ("blog", target.site), ("user_ip", "203.0.113.5"), *pairs]  # fmt: skip
        headers = {"Content-Type": content_type} if content_type else {}
        response = send(target, "POST", path, content=encode(pairs, raw), headers=headers)
        assert response.status_code == 200

    check()


# --- the form pages -------------------------------------------------------------------------------
def test_form_pages_with_fuzzed_fields(target: Target) -> None:
    page = target.client.get(f"/t/{target.site_id}/t")
    form_token = re.search(r'name="_form" value="([^"]+)"', page.text)
    assert form_token is not None

    @FUZZ
    @given(
        fields=st.dictionaries(
            st.sampled_from(["author", "email", "website", "text", "parent", "notify", "homepage"]),
            st.one_of(any_text(100), odd_numbers().map(str)), max_size=7,
        ),
        valid=st.booleans(), thread=st.one_of(st.just("t"), any_text(30)),
        query=st.dictionaries(st.sampled_from(["after", "reply", "lang", "status"]),
                              odd_numbers().map(str), max_size=3),
        action=st.sampled_from(["", "/c/1/edit", "/c/1/delete", "/fragment"]),
    )  # fmt: skip
    def check(fields: dict[str, str], valid: bool, thread: str, query: dict[str, str],
              action: str) -> None:  # fmt: skip
        data = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                for k, v in fields.items()}  # fmt: skip
        if valid:
            data["_form"] = form_token.group(1)
        path = f"/t/{target.site_id}/{q(thread)}"
        path += action
        headers = {"Origin": target.server.url}
        method = "GET" if action == "/fragment" else "POST"
        send(target, "GET", path, params=query)
        if method == "POST":
            send(target, "POST", path, data=data, params=query, headers=headers)

    check()


# --- the moderation API ---------------------------------------------------------------------------
def test_moderation_api_with_fuzzed_input(target: Target) -> None:
    base = "/api/v1/moderation"

    @FUZZ
    @given(
        ids=st.lists(st.one_of(odd_numbers(), st.sampled_from(target.comment_ids)), max_size=6),
        decision=st.one_of(st.sampled_from(["approve", "spam", "not_spam", "delete"]), any_text(10)),
        number=odd_numbers(), word=any_text(40),
        call=st.sampled_from(["decide", "ban", "policy", "queue", "edit"]),
    )  # fmt: skip
    def check(ids: list[Any], decision: str, number: Any, word: str, call: str) -> None:
        json_headers = {**target.bearer, "Content-Type": "application/json"}

        def post(path: str, body: dict[str, Any], method: str = "POST") -> None:
            send(target, method, base + path, content=json.dumps(body, ensure_ascii=True),
                 headers=json_headers)  # fmt: skip

        if call == "decide":
            post("/decisions", {"decision": decision, "ids": ids})
        elif call == "ban":
            post("/bans", {"kind": word[:10], "site_id": number, "comment_id": number,
                           "value": word})  # fmt: skip
        elif call == "policy":
            post(f"/sites/{target.site_id}/policy", {"mode": decision, "hold": number,
                                                     "close_after_days": number}, "PUT")  # fmt: skip
        elif call == "edit":
            post(f"/comments/{q(str(number))}", {"text": word}, "PUT")
        else:
            query = (
                f"q={q(word)}&site={q(str(number))}&before={q(str(number))}&since={q(word[:12])}"
            )
            send(target, "GET", f"{base}/queue/pending?{query}", headers=target.bearer)

    check()
