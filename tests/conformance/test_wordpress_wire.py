"""Raw-socket HTTP/1.0 requests exactly as the WordPress Akismet plugin sends them.

No PHP runs here, so the plugin itself is not executed (docs/akismet.md says so); these tests
send its bytes: `POST … HTTP/1.0`, `Host: rest.akismet.com`, the blog charset in Content-Type
and in `blog_charset`, WordPress' extra fields (POST_*, HTTP_*, comment_context[n]), and read
until the server closes the connection, as the plugin does.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from rejoinder.storage.schema import checks, feedback
from tests.conformance.conftest import Conformance

WP_UA = "WordPress/6.7.1 | Akismet/5.3.5"
THANKS = "Thanks for making the web a better place."
COMMENTER_IP = "192.0.2.44"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


@dataclass
class RawResponse:
    status_line: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def http10(port: int, method: str, path: str, body: bytes = b"", *, charset: str = "UTF-8",
           host: str = "rest.akismet.com") -> RawResponse:  # fmt: skip
    """Send one HTTP/1.0 request and read until EOF; fail if the server keeps it open."""
    head = [f"{method} {path} HTTP/1.0", f"Host: {host}", f"User-Agent: {WP_UA}",
            "Accept: */*", "Accept-Encoding: deflate, gzip"]  # fmt: skip
    if method == "POST":
        head += [
            f"Content-Type: application/x-www-form-urlencoded; charset={charset}",
            f"Content-Length: {len(body)}",
        ]
    request = ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body
    chunks: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        while True:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                pytest.fail("the server did not close the HTTP/1.0 connection after answering")
            if not data:
                break
            chunks.append(data)
    raw = b"".join(chunks)
    header_bytes, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *lines = header_bytes.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawResponse(status_line, headers, payload)


def assert_plain_http10_answer(response: RawResponse, body: str) -> None:
    assert response.status_line.startswith("HTTP/1.") and " 200 " in response.status_line
    assert "transfer-encoding" not in response.headers  # no chunking for an HTTP/1.0 client
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.body)
    assert response.text == body


def wordpress_fields(conformance: Conformance, charset: str, **overrides: str) -> dict[str, str]:
    """The fields Akismet::auto_check_comment sends (plugin 5.x), for one comment."""
    server = conformance.server
    content = "Grüße aus Köln! Schöner Artikel über Öl und Bäume."
    fields = {
        "comment_post_ID": "42", "comment_author": "Jörg Müller",
        "comment_author_email": "joerg@example.de", "comment_author_url": "",
        "comment_content": content, "comment_type": "comment", "comment_parent": "0",
        "user_ID": "0", "user_ip": COMMENTER_IP, "user_agent": BROWSER,
        "referrer": f"{server.blog}/2024/05/koeln/", "blog": server.blog,
        "blog_lang": "de_DE", "blog_charset": charset,
        "permalink": f"{server.blog}/2024/05/koeln/", "user_role": "",
        "akismet_comment_nonce": "passed", "comment_post_modified_gmt": "2024-05-02 10:11:12",
        "comment_context[0]": "Nachrichten", "comment_context[1]": "Köln",
        "POST_author": "Jörg Müller", "POST_email": "joerg@example.de", "POST_url": "",
        "POST_comment": content, "POST_submit": "Kommentar abschicken",
        "POST_comment_post_ID": "42", "POST_comment_parent": "0",
        "POST_ak_hp_textarea": "", "POST_ak_js": "1714644000123",
        "HTTP_HOST": "blog.example.com", "HTTP_USER_AGENT": BROWSER,
        "HTTP_ACCEPT": "text/html,application/xhtml+xml", "HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9",
        "HTTP_REFERER": f"{server.blog}/2024/05/koeln/", "REMOTE_ADDR": COMMENTER_IP,
        "REQUEST_URI": "/wp-comments-post.php", "DOCUMENT_URI": "/wp-comments-post.php",
        "api_key": server.key,
    }  # fmt: skip
    fields.update(overrides)
    return fields


def encode(fields: dict[str, str], charset: str) -> bytes:
    return urlencode(fields, encoding=charset).encode("ascii")


@pytest.mark.parametrize("charset", ["ISO-8859-1", "UTF-8"])
def test_comment_check_as_wordpress_sends_it(conformance: Conformance, charset: str) -> None:
    fields = wordpress_fields(conformance, charset)
    fields["comment_content"] += f" ({charset})"
    response = http10(conformance.server.port, "POST", "/1.1/comment-check",
                      encode(fields, charset), charset=charset)  # fmt: skip
    assert_plain_http10_answer(response, "false")
    assert "x-akismet-debug-help" not in response.headers
    guid = response.headers["x-akismet-guid"]
    with conformance.stored() as services, services.db.read() as conn:
        row = conn.execute(select(checks).where(checks.c.guid == guid)).one()
    assert row.content == fields["comment_content"]  # decoded with the blog's charset
    assert row.author == "Jörg Müller"
    assert row.extra["comment_context"] == "Nachrichten, Köln"  # PHP array keys folded
    assert COMMENTER_IP not in str(tuple(row))  # REMOTE_ADDR, user_ip: only keyed hashes
    assert row.ua_family and BROWSER not in str(tuple(row))


def test_spam_then_submit_ham_linked_by_guid(conformance: Conformance) -> None:
    port, charset = conformance.server.port, "ISO-8859-1"
    spam = wordpress_fields(conformance, charset, comment_author="akismet-guaranteed-spam",
                            comment_content="Spam über alles")  # fmt: skip
    response = http10(port, "POST", "/1.1/comment-check", encode(spam, charset), charset=charset)
    assert_plain_http10_answer(response, "true")
    guid = response.headers["x-akismet-guid"]
    # The moderator clicks "Not spam": the plugin sends the stored row plus the guid.
    ham = {**spam, "guid": guid, "comment_check_response": "true", "reporter": "admin"}
    response = http10(port, "POST", "/1.1/submit-ham", encode(ham, charset), charset=charset)
    assert_plain_http10_answer(response, THANKS)
    with conformance.stored() as services, services.db.read() as conn:
        row = conn.execute(select(feedback).where(feedback.c.guid == guid)).one()
    assert row.label == "ham" and row.fields["comment_content"] == "Spam über alles"


def test_verify_key_and_connectivity_check(conformance: Conformance) -> None:
    server = conformance.server
    # WordPress >= 5.0.2 sends the key under test as `key` and the stored one as `api_key`.
    body = encode({"key": server.key, "blog": server.blog, "api_key": server.key}, "UTF-8")
    assert_plain_http10_answer(http10(server.port, "POST", "/1.1/verify-key", body), "valid")
    body = encode({"key": "wrongwrong12", "blog": server.blog, "api_key": server.key}, "UTF-8")
    response = http10(server.port, "POST", "/1.1/verify-key", body)
    assert response.text == "invalid" and "x-akismet-debug-help" in response.headers
    assert_plain_http10_answer(http10(server.port, "GET", "/1.1/test"), "connected")


def test_old_plugin_sends_key_only_in_host(conformance: Conformance) -> None:
    server = conformance.server
    fields = wordpress_fields(conformance, "UTF-8", comment_author="viagra-test-123")
    del fields["api_key"]
    response = http10(server.port, "POST", "/1.1/comment-check", encode(fields, "UTF-8"),
                      host=f"{server.key}.rest.akismet.com")  # fmt: skip
    assert_plain_http10_answer(response, "true")
