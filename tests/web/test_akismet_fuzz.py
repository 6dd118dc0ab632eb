"""Hypothesis-generated form bodies against every Akismet POST endpoint: always HTTP 200 and a body
from the endpoint's documented set, whatever the field names, values, encoding or charset."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

THANKS = "Thanks for making the web a better place."
MISSING = {"Missing required field: blog", "Missing required field: user_ip"}
ALLOWED = {
    "/1.1/comment-check": {"true", "false", "invalid", *MISSING},
    "/1.1/submit-spam": {THANKS, "invalid", *MISSING},
    "/1.1/submit-ham": {THANKS, "invalid", *MISSING},
    "/1.1/verify-key": {"valid", "invalid"},
}
KNOWN = [
    "api_key", "key", "blog", "user_ip", "user_agent", "referrer", "permalink", "comment_type",
    "comment_author", "comment_author_email", "comment_author_url", "comment_content",
    "comment_date_gmt", "comment_post_modified_gmt", "blog_lang", "blog_charset", "user_role",
    "is_test", "honeypot_field_name", "guid", "recheck_reason", "comment_context",
]  # fmt: skip
CHARSETS = ["", "; charset=UTF-8", "; charset=ISO-8859-1", "; charset=klingon", "; charset="]

names = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=30),
    st.builds(lambda n, i: f"{n}[{i}]", st.sampled_from(KNOWN), st.integers(0, 5).map(str)),
    st.builds(lambda n: f"{n}[]", st.sampled_from(KNOWN)),
)
values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["1", "true", "0", "administrator", "akismet-guaranteed-spam", ""]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)
garbage = st.binary(max_size=300).map(lambda b: b.replace(b"&", b"%").replace(b"=", b"%"))


def encode(pairs: list[tuple[str, str]], raw: list[bytes]) -> bytes:
    parts = [
        quote_from_bytes(n.encode("utf-8", "surrogatepass")).encode()
        + b"="
        + quote_from_bytes(v.encode("utf-8", "surrogatepass")).encode()
        for n, v in pairs
    ]
    return b"&".join(parts + raw)


@st.composite
def bodies(draw: st.DrawFn, api: Api) -> tuple[bytes, str]:
    pairs = draw(st.lists(st.tuples(names, values), max_size=25))
    if draw(st.booleans()):  # often a well-formed request with junk around it
        pairs = [("api_key", api.key), ("blog", api.blog), ("user_ip", "203.0.113.5"), *pairs]
    raw = draw(st.lists(garbage, max_size=3))
    order = draw(st.permutations(range(len(pairs))))
    content_type = "application/x-www-form-urlencoded" + draw(st.sampled_from(CHARSETS))
    return encode([pairs[i] for i in order], raw), content_type


def run(api: Api, path: str, data: st.DataObject) -> None:
    body, content_type = data.draw(bodies(api))
    response = api.client.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 200, response.text
    assert response.text in ALLOWED[path]
    if response.text not in ("true", "false", "valid", THANKS):
        assert "x-akismet-debug-help" in response.headers


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.data())
def test_comment_check_fuzz(api: Api, data: st.DataObject) -> None:
    run(api, "/1.1/comment-check", data)


@FUZZ
@given(data=st.data())
def test_submit_spam_fuzz(api: Api, data: st.DataObject) -> None:
    run(api, "/1.1/submit-spam", data)


@FUZZ
@given(data=st.data())
def test_submit_ham_fuzz(api: Api, data: st.DataObject) -> None:
    run(api, "/1.1/submit-ham", data)


@FUZZ
@given(data=st.data())
def test_verify_key_fuzz(api: Api, data: st.DataObject) -> None:
    run(api, "/1.1/verify-key", data)
