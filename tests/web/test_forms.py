from hypothesis import given
from hypothesis import strategies as st

from rejoinder.web.forms import charset_from_content_type, parse_form_bytes


def test_basic_and_plus_and_percent() -> None:
    fields = parse_form_bytes(b"a=1&b=hello+world&c=%C3%A9t%C3%A9&empty=&flag", "", 100)
    assert fields == {"a": "1", "b": "hello world", "c": "été", "empty": "", "flag": ""}


def test_charset_from_header_latin1() -> None:
    fields = parse_form_bytes(
        b"comment_content=%E9t%E9", "application/x-www-form-urlencoded; charset=ISO-8859-1", 10
    )
    assert fields["comment_content"] == "été"


def test_charset_from_blog_charset_field() -> None:
    fields = parse_form_bytes(b"comment_content=caf%E9&blog_charset=ISO-8859-1", "", 10)
    assert fields["comment_content"] == "café"


def test_unknown_charset_falls_back_to_utf8_with_replacement() -> None:
    fields = parse_form_bytes(
        b"c=%FF%C3%A9", "application/x-www-form-urlencoded; charset=klingon", 10
    )
    assert fields["c"] == "\ufffdé"


def test_php_array_keys_fold() -> None:
    fields = parse_form_bytes(
        b"comment_context%5B0%5D=tag&comment_context%5B1%5D=cat&x[]=1&x[]=2", "", 10
    )
    assert fields["comment_context"] == "tag, cat"
    assert fields["x"] == "1, 2"


def test_nul_bytes_dropped_and_field_cap() -> None:
    fields = parse_form_bytes(b"a=x%00y&" + b"&".join(b"f%d=1" % i for i in range(500)), "", 50)
    assert fields["a"] == "xy"
    assert len(fields) == 50


def test_unencoded_urls_as_rakismet_sends() -> None:
    assert (
        parse_form_bytes(b"key=abc&blog=http://x.example/a?b", "", 10)["blog"]
        == "http://x.example/a?b"
    )


def test_charset_parsing() -> None:
    assert charset_from_content_type('text/plain; charset="UTF-8"') == "utf-8"
    assert charset_from_content_type("application/x-www-form-urlencoded") is None


@given(st.binary(max_size=2000), st.text(max_size=60))
def test_never_raises_on_any_bytes(body: bytes, content_type: str) -> None:
    fields = parse_form_bytes(body, content_type, 200)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
    assert all("\x00" not in v for v in fields.values())


def _reference_pairs(body: bytes, max_fields: int) -> list[tuple[bytes, bytes]]:
    from urllib.parse import unquote_to_bytes

    out = []
    for chunk in body.split(b"&", max_fields)[:max_fields]:
        name, _, value = chunk.partition(b"=")
        name = unquote_to_bytes(name.replace(b"+", b" ")).replace(b"\x00", b"")
        value = unquote_to_bytes(value.replace(b"+", b" ")).replace(b"\x00", b"")
        if chunk and name:
            out.append((name.strip(), value))
    return out


@given(st.binary(max_size=500) | st.text(max_size=200).map(lambda t: t.encode()))
def test_fast_path_decodes_like_unquote(body: bytes) -> None:
    from rejoinder.web.forms import split_pairs

    assert split_pairs(body, 100) == _reference_pairs(body, 100)
