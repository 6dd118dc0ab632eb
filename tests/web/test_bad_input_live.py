"""Bad input where the transport matters, against a real `rejoinder serve` process (both servers):
a 413 comes before the whole body is read, a 200 MB body costs no memory, nothing hangs a
worker, and the server keeps answering afterwards."""

from __future__ import annotations

import contextlib
import json
import re
import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import process_tree, rss_mib
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.slow

# A hung worker or a server waiting for a body that never comes answers never; a healthy one
# answers in milliseconds, or in seconds on a machine loaded many times over. The bound is wide
# so that load does not fail it, finite so that a hang does.
ANSWER_WITHIN_S = 20.0
HEADER_TIMEOUT_S, BODY_TIMEOUT_S = 2, 3
SHORT_TIMEOUTS = {"REJOINDER_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
                  "REJOINDER_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S)}  # fmt: skip


@pytest.fixture(scope="module", params=["uvicorn", "granian"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp(request.param), args=("--server", request.param),
                        env=SHORT_TIMEOUTS)  # fmt: skip
    yield live
    live.stop()


def connect(server: LiveServer, timeout: float = ANSWER_WITHIN_S + 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response (status, lower-cased headers, body); skips a 100 Continue."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed before a response: {data[:200]!r}")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if status != 100:
            break
        data = rest
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length]


def request_head(path: str, length: int, *extra: str, host: str = "127.0.0.1") -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}",
             "Content-Type: application/x-www-form-urlencoded", f"Content-Length: {length}", *extra]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def form(server: LiveServer) -> bytes:
    return f"api_key={server.key}&blog={server.blog}&user_ip=203.0.113.9".encode()


def still_answers(server: LiveServer) -> None:
    started = time.monotonic()
    with connect(server, timeout=ANSWER_WITHIN_S) as sock:
        body = form(server)
        sock.sendall(request_head("/1.1/comment-check", len(body)) + body)
        status, _headers, answer = read_response(sock)
    assert status == 200 and answer == b"false"
    assert time.monotonic() - started < ANSWER_WITHIN_S


def test_413_before_the_body_is_read(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(request_head("/1.1/comment-check", 10_000_000))
        sock.sendall(b"a=" + b"x" * 65_536)  # far from the announced 10 MB
        started = time.monotonic()
        status, headers, body = read_response(sock)
        assert status == 413
        assert headers.get("connection") == "close"
        assert b"over" in body
        assert time.monotonic() - started < ANSWER_WITHIN_S  # did not wait for the other 9.9 MB
    still_answers(server)


# --- a 200 MB body (issue 17: the worker grew from 0.3 to 1.1 GB reading and parsing one) ---
BODY_MB = 200
MAX_GROWTH_MIB = 50
PIECE = b"x" * 65_536


def pieces(chunked: bool) -> Iterator[bytes]:
    """The body, 64 KiB at a time, made as it is sent: 200 MB never exist at once here."""
    for _ in range(BODY_MB * 16):
        yield b"%x\r\n%s\r\n" % (len(PIECE), PIECE) if chunked else PIECE
    if chunked:
        yield b"0\r\n\r\n"


def read_answer(sock: socket.socket, into: list[bytes]) -> None:
    data = b""
    try:
        while not (b"\r\n\r\n" in data and data.rstrip().endswith(b"}")):
            chunk = sock.recv(65_536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    into.append(data)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_200_mb_body_is_413_and_costs_no_memory(server: LiveServer, chunked: bool) -> None:
    pids = process_tree(server.process.pid)
    before = peak = rss_mib(pids)
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % (BODY_MB << 20)
    head = b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    answers: list[bytes] = []
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(head + framing + b"\r\n\r\n")
        reader = threading.Thread(target=read_answer, args=(sock, answers))
        reader.start()
        try:
            for number, piece in enumerate(pieces(chunked)):
                sock.sendall(piece)
                sent += len(piece)
                if number % 64 == 0:
                    peak = max(peak, rss_mib(pids))
        except OSError:  # the server closed the connection after its 413: the point
            pass
        reader.join(60)
    peak = max(peak, rss_mib(pids))
    head_bytes, _, body = answers[0].partition(b"\r\n\r\n")
    assert head_bytes.startswith(b"HTTP/1.1 413"), answers[0][:300]
    assert b"x-content-type-options: nosniff" in head_bytes.lower()
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    assert peak - before < MAX_GROWTH_MIB, (before, peak)
    assert sent < BODY_MB << 20  # the server stopped taking the body; it did not read it all


def test_expect_100_continue_then_the_answer(server: LiveServer) -> None:
    body = form(server)
    with connect(server) as sock:
        sock.sendall(request_head("/1.1/comment-check", len(body), "Expect: 100-continue"))
        first = sock.recv(4096)
        if first.startswith(b"HTTP/1.1 100"):
            sock.sendall(body)
            status, _h, answer = read_response(sock)
        else:  # pragma: no cover - a server may also wait for the body without a 100
            pytest.fail(f"no 100 Continue: {first[:100]!r}")
    assert status == 200 and answer == b"false"


def test_expect_100_continue_with_too_large_body_gets_413_without_100(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(request_head("/1.1/comment-check", 10_000_000, "Expect: 100-continue"))
        data = sock.recv(4096)
    assert data.startswith(b"HTTP/1.1 413")
    still_answers(server)


def test_streamed_body_over_the_limit(server: LiveServer) -> None:
    head = (
        b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (65_536, b"x" * 65_536)
    with connect(server) as sock:
        sock.sendall(head + chunk * 70)  # ~4.6 MB, over the 4 MB default, never terminated
        status, _h, _b = read_response(sock)
    assert status == 413
    still_answers(server)


def test_a_stalled_body_does_not_hang_the_worker(server: LiveServer) -> None:
    stalled = connect(server)
    try:
        stalled.sendall(request_head("/1.1/comment-check", 5_000) + b"api_key=")
        for _ in range(3):
            still_answers(server)  # others are served while that request waits for its body
    finally:
        stalled.close()


@pytest.mark.parametrize("header", ["Host", "User-Agent", "Content-Type"])
def test_64_kb_header_values(server: LiveServer, header: str) -> None:
    body = form(server)
    value = "a" * 65_536
    if header == "Content-Type":
        value = "application/x-www-form-urlencoded; charset=" + value
    head = request_head("/1.1/comment-check", len(body), f"{header}: {value}")
    if header == "Host":
        head = head.replace(b"Host: 127.0.0.1\r\n", b"", 1)
    with connect(server) as sock:
        sock.sendall(head + body)
        status, _h, answer = read_response(sock)
    assert status == 200 and answer == b"false"
    still_answers(server)


def test_absurd_headers_are_refused_or_ignored_never_500(server: LiveServer) -> None:
    huge = b"X-Junk: " + b"a" * 2_000_000 + b"\r\n"
    cases = [
        b"GET /1.1/test HTTP/1.1\r\nHost: x\r\n" + huge + b"\r\n",
        b"GET /1.1/test HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n",
        b"GET /1.1/test HTTP/1.1\r\nHost: x\r\n" + b"X-Many: 1\r\n" * 5_000 + b"\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 100,  # a TLS hello
        b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /1.1/comment-check HTTP/1.1\r\nHost: x\r\nContent-Length: 1e9\r\n\r\n",
    ]
    for raw in cases:
        with connect(server) as sock:
            try:
                sock.sendall(raw)
                data = sock.recv(4096)
            except OSError:  # refused by closing the connection: a clear answer too
                data = b""
        match = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        if match:
            assert int(match[1]) < 500, data[:200]
        still_answers(server)


SERVER_LEVEL = [  # refused by the HTTP server itself, before the app sees a request
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b<script>\r\n\r\n",
    b"<html><script>alert(1)</script>\r\n\r\n",
    b"GET /a b<script> HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"POST /api/v1/comments HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
]
# granian answers these with no body and cannot be given headers; uvicorn with a fixed text
SERVER_BODIES = (b"", b"Invalid HTTP request received.")


def test_server_level_errors_echo_nothing(server: LiveServer) -> None:
    """The server's own 400/431 carry no security headers (neither server can add them to its
    own errors) but nothing of the request either, so there is nothing to sniff."""
    for raw in SERVER_LEVEL:
        with connect(server) as sock:
            sock.sendall(raw)
            status, _headers, body = read_response(sock)
        assert 400 <= status < 500 and body in SERVER_BODIES, (raw[:40], status, body[:80])


def test_app_errors_carry_nosniff_on_the_wire(server: LiveServer) -> None:
    for raw in (
        b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /t/1/a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v1/comments?site=1&after=%C2%B2 HTTP/1.1\r\nHost: x\r\n\r\n",
        request_head("/api/v1/comments", 5_000_000),
    ):
        with connect(server) as sock:
            sock.sendall(raw)
            status, headers, _body = read_response(sock)
        assert status in (400, 404, 413) and headers["x-content-type-options"] == "nosniff"


def test_methods_and_paths(server: LiveServer) -> None:
    body = form(server)
    for method, path in (("GET", "/1.1/comment-check"), ("PUT", "/1.1/submit-spam"),
                         ("POST", "/1.1/unknown"), ("POST", "/1.2/comment-check")):  # fmt: skip
        with connect(server) as sock:
            head = request_head(path, len(body)).replace(b"POST", method.encode(), 1)
            sock.sendall(head + body)
            status, headers, answer = read_response(sock)
        assert status == 200 and answer == b"invalid"
        assert headers["x-akismet-debug-help"] in ("Method Not Allowed", "Not Found")


def test_keep_alive_connection_survives_bad_requests(server: LiveServer) -> None:
    body = form(server)
    with connect(server) as sock:
        for payload in (b"\xff\xfe", b"api_key=&blog=", body):
            sock.sendall(request_head("/1.1/comment-check", len(payload)) + payload)
            status, _h, answer = read_response(sock)
            assert status == 200
        assert answer == b"false"


def test_server_log_has_no_traceback(server: LiveServer) -> None:
    log = Path(server.log_path).read_text(errors="replace")
    assert "Traceback" not in log and "internal error" not in log


# --- slow and idle clients (issue 17: about 1,025 idle sockets stopped granian answering) ---
def test_idle_connections_do_not_starve_others(server: LiveServer) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1_400:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1_400, hard), hard))
    idle = [connect(server) for _ in range(1_100)]  # more than granian's default backpressure
    try:
        started = time.monotonic()
        still_answers(server)
        assert time.monotonic() - started < 5.0  # an answer, not a wait for the idle ones to go
    finally:
        for sock in idle:
            sock.close()


def closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:  # reset by the server: closed too
        return True


def test_idle_connections_are_closed(server: LiveServer, request: pytest.FixtureRequest) -> None:
    """A kept-alive connection left idle is closed after header_timeout_s by both servers; under
    granian so are one that never sends a byte and one stuck in its request head (uvicorn keeps
    those: docs/performance.md says what to put in front of it)."""
    with connect(server) as kept, connect(server) as silent, connect(server) as half:
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(kept)[0] == 200
        half.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        assert closed_within(kept, HEADER_TIMEOUT_S + 8)
        if "granian" in request.node.callspec.id:
            assert closed_within(silent, 2) and closed_within(half, 2)


@pytest.mark.parametrize("path", ["/api/v1/comments", "/1.1/comment-check"])
def test_a_trickled_body_gets_408(server: LiveServer, path: str) -> None:
    with connect(server) as sock:
        sock.sendall(request_head(path, 1_000) + b"api_key=")
        started = time.monotonic()
        sock.settimeout(1.0)
        answer = b""
        while b"\r\n\r\n" not in answer and time.monotonic() - started < BODY_TIMEOUT_S + 10:
            sock.sendall(b"x")  # a byte a second: never enough, never silent
            with contextlib.suppress(TimeoutError):
                answer += sock.recv(65_536)
        elapsed = time.monotonic() - started
        head = answer.partition(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 408"), answer[:200]
    assert b"x-content-type-options: nosniff" in head and b"connection: close" in head
    assert BODY_TIMEOUT_S - 1 <= elapsed < BODY_TIMEOUT_S + 10
    still_answers(server)
