"""A file that cannot be imported gets a message naming the line or element, and the database
is left exactly as it was (the whole file is read and checked before anything is written)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from rejoinder.migration.records import Format, ImportFailed
from tests.migration.conftest import World
from tests.migration.samples import (
    HELLO,
    HISTORY,
    SITE,
    write_disqus,
    write_remark42,
    write_wxr,
    wxr_comment,
    wxr_document,
    wxr_item,
)


def wxr_with(*comments: str) -> str:
    """A good first item, then an item with these comments: the good one must not land."""
    good = wxr_item(1, HELLO, "Hello world!", wxr_comment(HISTORY[0]))
    return wxr_document(good + wxr_item(2, f"{HELLO}two/", "Two", "".join(comments)))


def truncated(path: Path) -> None:
    data = write_wxr(path).read_bytes()
    path.write_bytes(data[: int(len(data) * 0.7)])


def latin1(path: Path) -> None:  # says UTF-8, is ISO-8859-1 ("Seán", "Dora's café")
    path.write_bytes(
        wxr_with(wxr_comment(replace(HISTORY[5], html="Dora's café"))).encode("latin-1")
    )


def missing_parent(path: Path) -> None:
    path.write_text(wxr_with(wxr_comment(replace(HISTORY[1], id=12, parent=999))))


def reply_loop(path: Path) -> None:
    path.write_text(wxr_with(wxr_comment(replace(HISTORY[1], id=12, parent=13)),
                             wxr_comment(replace(HISTORY[2], id=13, parent=12))))  # fmt: skip


def duplicate_id(path: Path) -> None:
    path.write_text(wxr_with(wxr_comment(replace(HISTORY[2], id=1))))


def no_comment_id(path: Path) -> None:
    path.write_text(
        wxr_with(wxr_comment(HISTORY[2]).replace("<wp:comment_id>3</wp:comment_id>", ""))
    )


def bad_date(path: Path) -> None:
    path.write_text(wxr_with(wxr_comment(HISTORY[2]).replace("2024-01-03 09:00:00", "yesterday")))


def disqus_given_as_wxr(path: Path) -> None:
    write_disqus(path)


def entity_bomb(path: Path) -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{n} "{("&a" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
    )
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss>&a9;</rss>')


WXR_CASES: list[tuple[str, Callable[[Path], None], tuple[str, ...]]] = [
    ("truncated", truncated, ("line", "ends early")),
    ("wrong encoding", latin1, ("line", "encoding")),
    ("missing parent", missing_parent, ("<wp:comment> 12 of <item> 'Two'", "'999'", "not in the file")),
    ("reply loop", reply_loop, ("<wp:comment> 1", "loop")),
    ("duplicate id", duplicate_id, ("id '1' was used before", "<item> 'Hello world!'")),
    ("no comment id", no_comment_id, ("<wp:comment> number 1 of <item> 'Two'", "wp:comment_id")),
    ("bad date", bad_date, ("<wp:comment> 3", "'yesterday' is not a date")),
    ("not WXR", disqus_given_as_wxr, ("not a WordPress export", "<disqus>")),
    ("entity bomb", entity_bomb, ("line 1", "amplification")),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "said"), WXR_CASES, ids=[c[0] for c in WXR_CASES])
def test_a_bad_wxr_file_changes_nothing(
    world: World, tmp_path: Path, case: str, make: Callable[[Path], None], said: tuple[str, ...]
) -> None:
    world.migration.import_file(Format.WXR, str(write_wxr(tmp_path / "good.xml")), SITE)
    before = world.snapshot()
    bad = tmp_path / "bad.xml"
    make(bad)
    with pytest.raises(ImportFailed) as failed:
        world.migration.import_file(Format.WXR, str(bad), SITE)
    for words in said:
        assert words in failed.value.message, failed.value.message
    assert world.snapshot() == before


def test_bad_files_of_the_other_formats(world: World, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    cases: list[tuple[Format, Path, str]] = [(Format.ISSO, text, "not an SQLite database"),
                                             (Format.JSON, text, "line 1: not JSON"),
                                             (Format.REMARK42, text, "line 1: not JSON")]  # fmt: skip
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"format": "rejoinder-comments", "version": 1}\n{"type": "thread", "key": "a"}\n'
                      '{"type": "comment", "thread": "a", "id": 1, "parent": 7, "status": "published",'
                      ' "text": "hi", "created": "2024-01-01T00:00:00Z"}\n{"type": "comment",\n')  # fmt: skip
    cases.append((Format.JSON, broken, "line 4: not JSON"))
    gz = write_remark42(tmp_path / "backup.gz")
    gz.write_bytes(gz.read_bytes()[:-20])
    cases.append((Format.REMARK42, gz, "cannot be read to its end"))
    orphan = tmp_path / "orphan.jsonl"
    orphan.write_text(broken.read_text().rsplit("\n", 2)[0] + "\n")
    cases.append((Format.JSON, orphan, "line 3 (comment 1): it replies to comment '7'"))
    disqus = write_disqus(tmp_path / "d.xml")
    disqus.write_text(
        disqus.read_text().replace('<thread dsq:id="101"/>', '<thread dsq:id="555"/>')
    )
    cases.append((Format.DISQUS, disqus, '<thread dsq:id="555"> is not in the file'))
    cases.append((Format.WXR, tmp_path / "nowhere.xml", "cannot read"))
    before = world.snapshot()
    for fmt, path, said in cases:
        with pytest.raises(ImportFailed) as failed:
            world.migration.import_file(fmt, str(path), SITE)
        assert said in failed.value.message, (fmt, failed.value.message)
    assert world.snapshot() == before
    assert gzip.decompress(write_remark42(tmp_path / "ok.gz").read_bytes())  # the control is fine
