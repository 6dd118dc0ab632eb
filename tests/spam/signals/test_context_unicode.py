from __future__ import annotations

from datetime import UTC, datetime

from rejoinder.spam.signals.context import LanguageSignal, OldPostSignal
from rejoinder.spam.signals.unicode_tricks import UnicodeTricksSignal
from rejoinder.spam.submission import Submission

NOW = datetime(2026, 6, 1, tzinfo=UTC)
GERMAN = "Ich finde diesen Artikel wirklich sehr gut und danke Ihnen für die viele Mühe damit."
ENGLISH = "I think this article is really good and I thank you for all the effort you put in."


def test_old_post() -> None:
    signal = OldPostSignal(now=lambda: NOW)
    old = Submission(post_modified_at=datetime(2020, 1, 1, tzinfo=UTC))
    recent = Submission(post_modified_at=datetime(2026, 5, 1, tzinfo=UTC))
    assert [h.symbol for h in signal.evaluate(old)] == ["POST_OLD"]
    assert signal.evaluate(recent) == []
    assert signal.evaluate(Submission()) == []


def test_language_against_blog_lang() -> None:
    signal = LanguageSignal()

    def run(text: str, lang: str) -> list[str]:
        return [h.symbol for h in signal.evaluate(Submission(content=text, blog_lang=lang))]

    assert run(GERMAN, "en_US") == ["LANGUAGE_MISMATCH"]
    assert run(GERMAN, "de_DE, en") == []
    assert run(ENGLISH, "en") == []
    assert run("Пишите мне в личку, заработок онлайн от тысячи рублей в день", "en") == [
        "LANGUAGE_MISMATCH"
    ]
    assert run("Пишите мне в личку, заработок онлайн от тысячи рублей в день", "ru") == []
    assert run(GERMAN, "") == []  # no blog language: no opinion
    assert run("Danke!", "en") == []  # too short to tell


def test_unicode_tricks() -> None:
    signal = UnicodeTricksSignal()

    def run(text: str) -> list[str]:
        return [h.symbol for h in signal.evaluate(Submission(content=text))]

    assert run("Plain ASCII text.") == []
    assert run("Café, naïve, São Paulo, Ελλάδα, Москва") == []  # whole words in one script
    assert run("Family: 👨\u200d👩\u200d👧 and Persian می\u200cخواهم") == []  # legitimate joiners
    assert run("v\u200bi\u200ba\u200bgra") == ["UNICODE_INVISIBLE"]
    assert run("buy vіagra now") == ["UNICODE_MIXED_SCRIPT"]  # Cyrillic і
    assert run("Пᴏддᴇᴧьнᴀя ʙᴀᴧюᴛᴀ") == ["UNICODE_MIXED_SCRIPT"]  # small capitals in Cyrillic
    assert run("Ꮶупюры принимает") == ["UNICODE_MIXED_SCRIPT"]  # a Cherokee letter
    assert run("ᴛʜɪs ɪs ꜰᴀɴᴄʏ") == ["UNICODE_MIXED_SCRIPT"]  # small capitals in Latin
    assert run("The IPA is /ˈdʒɪʃ/, and ʊ in ᏣᎳᎩ is Cherokee") == []  # a linguist's letters
    assert run("\u202eevil text") == ["UNICODE_BIDI"]
    assert run("שלום \u202bעולם") == []  # bidi controls belong in right-to-left text
    assert run("𝐁𝐔𝐘 𝐍𝐎𝐖") == ["UNICODE_STYLED_LETTERS"]
