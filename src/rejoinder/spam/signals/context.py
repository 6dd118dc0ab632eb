"""Context: a comment on an old post, or in a language the blog does not use.

Language is judged in two steps. The writing system is counted first (cheap, and enough for
Cyrillic on an English blog); only when the comment and the blog share the Latin script does
``lingua-language-detector`` compare languages, in its low-accuracy mode over a fixed set of
Latin-script languages (models ship inside the package; about 40 MB resident, 0.2–0.5 ms a
call). That is too slow for every comment, so a cheaper test runs first: when enough of the
words are common function words of the blog's language ("the", "und", "les"…), the comment is
in that language and lingua is not asked.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.scripts import Script, script_of
from rejoinder.spam.submission import Submission

OLD_POST_DAYS = 180
VERY_OLD_POST_DAYS = 730
MIN_LETTERS = 25  # fewer letters say nothing about a language
MIN_LINGUA_LETTERS = 40
LANGUAGE_SAMPLE = 1000
LINGUA_SAMPLE = 300

LANGUAGE_SCRIPT = {
    **{code: Script.CYRILLIC for code in ("ru", "uk", "bg", "sr", "mk", "be", "kk")},
    **{code: Script.CJK for code in ("zh", "ja")},
    **{code: Script.ARABIC for code in ("ar", "fa", "ur")},
    **{code: Script.DEVANAGARI for code in ("hi", "mr", "ne")},
    "ko": Script.HANGUL,
    "el": Script.GREEK,
    "he": Script.HEBREW,
    "th": Script.THAI,
}
LATIN_LANGUAGES = (
    "en", "de", "fr", "es", "pt", "it", "nl", "pl", "tr", "id", "vi", "sv", "cs", "ro", "hu",
)  # fmt: skip
# Very common function words: a comment in the blog's language is full of them.
FUNCTION_WORDS = {
    "en": "the and is are was to of in it that this for you with not have but on be my your i a an so at all just",
    "de": "der die das und ist nicht ich du sie es ein eine zu mit auf den dem von für sich auch wie aber wir",
    "fr": "le la les et est un une des du de je tu il elle pas que qui pour dans sur avec ce mais vous nous",
    "es": "el la los las y es un una de que en no por con para lo se su muy pero como más yo tu",
    "pt": "o a os as e é um uma de que em não por com para se do da mais mas muito eu você isso",
    "it": "il lo la le e è un una di che non per con del della sono ma anche come io tu questo",
    "nl": "de het een en is van dat niet ik je op te met voor zijn maar ook wat er dit",
    "sv": "och är det en ett att i på som för med inte jag du har men till av om den",
    "pl": "i w na nie jest to że się z do jak ale co tak po za od dla jestem",
}
FUNCTION_SHARE = 0.15  # at least this share of words are the blog language's function words
_WORDS_RE = re.compile(r"[^\W\d_]+")
_LINK_RE = re.compile(
    r"(?i)<[^<>]{0,2000}>|\[/?url[^\[\]]{0,2000}\]|\b(?:https?://|www\.)\S{1,2000}"
)


_FUNCTION_SETS = {code: frozenset(words.split()) for code, words in FUNCTION_WORDS.items()}


def _looks_like(sample: str, wanted: list[str]) -> bool:
    """True when function words show the text is in one of the wanted languages."""
    words = _WORDS_RE.findall(sample.casefold())
    if not words:
        return False
    for code in wanted:
        known = _FUNCTION_SETS.get(code)
        if known and sum(map(known.__contains__, words)) >= FUNCTION_SHARE * len(words):
            return True
    return False


class OldPostSignal:
    name = "old_post"

    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.now = now

    def evaluate(self, submission: Submission) -> list[Hit]:
        modified = submission.post_modified_at
        if modified is None:
            return []
        when = submission.created_at or self.now()
        days = (when - modified).days
        if days >= VERY_OLD_POST_DAYS:
            return [
                Hit(
                    "POST_OLD", 1.0, f"The post is {days // 365} years old; spam targets old posts."
                )
            ]
        if days >= OLD_POST_DAYS:
            return [Hit("POST_OLD", 0.5, f"The post is {days} days old; spam targets old posts.")]
        return []


_LOCK = threading.Lock()
_DETECTOR: list[tuple[Any, dict[Any, str]]] = []  # built once per process, shared


def _detector() -> tuple[Any, dict[Any, str]]:
    """The lingua detector (low-accuracy mode, Latin-script languages) and its code map."""
    if _DETECTOR:
        return _DETECTOR[0]
    with _LOCK:
        if not _DETECTOR:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

            codes = {
                Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())): code
                for code in LATIN_LANGUAGES
            }
            detector = (
                LanguageDetectorBuilder.from_languages(*codes)
                .with_low_accuracy_mode()
                .with_preloaded_language_models()
                .build()
            )
            _DETECTOR.append((detector, codes))
    return _DETECTOR[0]


class LanguageSignal:
    name = "language"

    def evaluate(self, submission: Submission) -> list[Hit]:
        wanted = submission.blog_languages
        if not wanted:
            return []
        sample = _LINK_RE.sub(" ", submission.text[: LANGUAGE_SAMPLE * 2])[:LANGUAGE_SAMPLE]
        script, letters = script_of(sample)
        if letters < MIN_LETTERS:
            return []
        scripts = {LANGUAGE_SCRIPT.get(code, Script.LATIN) for code in wanted}
        if script not in scripts:
            return [
                Hit(
                    "LANGUAGE_MISMATCH",
                    1.2,
                    f"Written in {script} script on a blog in {', '.join(wanted)}.",
                )
            ]
        if script is not Script.LATIN or letters < MIN_LINGUA_LETTERS:
            return []
        if not all(
            code in LATIN_LANGUAGES
            for code in wanted
            if LANGUAGE_SCRIPT.get(code, Script.LATIN) is Script.LATIN
        ):
            return []
        if _looks_like(sample, wanted):
            return []
        ranked = self._confidences(sample[:LINGUA_SAMPLE])
        if not ranked:
            return []
        code, confidence = ranked[0]
        blog_confidence = sum(v for c, v in ranked if c in wanted)
        if code not in wanted and confidence >= 0.7 and blog_confidence < 0.1:
            return [
                Hit(
                    "LANGUAGE_MISMATCH",
                    0.8,
                    f"Looks like {code} ({confidence:.0%} sure) on a blog in {', '.join(wanted)}.",
                )
            ]
        return []

    def _confidences(self, sample: str) -> list[tuple[str, float]]:
        """(language code, confidence) pairs, most likely first."""
        detector, codes = _detector()
        return [
            (codes[v.language], float(v.value))
            for v in detector.compute_language_confidence_values(sample)
        ]

    def warm_up(self) -> None:
        """Load the language models now rather than on the first comment."""
        detector, _ = _detector()
        detector.compute_language_confidence_values("warming up the language models")
