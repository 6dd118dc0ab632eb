"""Training-time augmentation that breaks the "has an e-mail address, so it is spam" shortcut.

In the labelled data only the WordPress blog spam carries an e-mail address and an author URL
(and it is all spam), while every real WordPress comment, spam or not, sends an e-mail address.
A model trained on the rows as they are learns that *having* these fields means spam. So, for
training only, legitimate rows get plausible fields of their own: an e-mail address (mostly
at the big free-mail providers, sometimes at an own domain), sometimes a personal web site
(a home page, a blog, a GitHub or social profile) and, where the source has none, a person's
name. The model then has to learn what spammers' fields *look like* (keyword author names,
profile pages on unrelated sites, campaign hosts) rather than that they exist.

The same holds for links in the text: nearly every labelled text with a link is spam, so a
model left alone learns that a link *is* spam, and a reader who cites Wikipedia, a paper or
the project's documentation would be filed with the spam. So some legitimate rows also get a
reference link of the kind readers post (an encyclopedia article, a code repository, docs, a
news story, a paper, a video), plain, as Markdown or as an HTML anchor. Spam rows get the
same links at the same rate and stay spam, so a reference link says nothing either way: the
model neither files a citation as spam nor lets a spammer launder a text with one.

Two kinds of spam also get a legitimate copy: link spam without its payload (the praise that
remains harms no one), and self-promotion turned toward the author ("subscribe to my channel"
→ "subscribe to your channel", which a blog's readers write).

Evaluation always scores the rows as they are; nothing synthetic ever reaches a metric.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rejoinder.core.records.verdict import Label
from rejoinder.training.dataset import Example

FREEMAIL_WEIGHTS = {
    "gmail.com": 45, "yahoo.com": 12, "hotmail.com": 9, "outlook.com": 7, "icloud.com": 5,
    "aol.com": 3, "live.com": 2, "gmx.de": 2, "web.de": 1, "protonmail.com": 2,
    "mail.ru": 2, "yandex.ru": 2, "ymail.com": 1,
}  # fmt: skip
REFERENCE_SHAPES = (
    "https://en.wikipedia.org/wiki/{w}",
    "https://de.wikipedia.org/wiki/{w}",
    "https://github.com/{n}/{w}",
    "https://github.com/{n}/{w}/issues/{d}",
    "https://docs.python.org/3/library/{w}.html",
    "https://developer.mozilla.org/en-US/docs/Web/{w}",
    "https://stackoverflow.com/questions/{d}/{w}",
    "https://www.bbc.co.uk/news/{w}-{d}",
    "https://www.theguardian.com/world/2019/{w}",
    "https://www.nytimes.com/2020/05/{d}/{w}.html",
    "https://www.reuters.com/article/{w}-idUS{d}",
    "https://arxiv.org/abs/2105.{d}",
    "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC{d}/",
    "https://www.youtube.com/watch?v={n}{d}",
    "https://youtu.be/{n}{d}",
    "https://www.gov.uk/guidance/{w}",
    "https://{n}.wordpress.com/2018/{d}/{w}/",
    "https://www.imdb.com/title/tt{d}/",
)
LINK_FORMS = ("{u}", "see {u}", "({u})", "[{w}]({u})", '<a href="{u}">{w}</a>', "source: {u}")
_TEXT_WORD_RE = re.compile(r"[A-Za-z]{4,}")
_LINKISH_RE = re.compile(r"https?:|www\.|\.(?:com|net|org|ru|info|biz)\b|@|\d{5,}", re.IGNORECASE)
OWN_TLDS = ("com", "org", "net", "de", "co.uk", "fr", "nl", "edu", "io", "ca", "com.au", "ru")
# Where a reader's web address points (the author URL field), by weight: most often the home
# page of their own site at the root of its domain, .com above all — the very shape of most
# blog spam's addresses, so the shape alone must not read as spam (only the host's and path's
# words may) — and otherwise a blog on a hosted platform or a profile elsewhere.
OWN_SITE_TLDS = {
    "com": 40, "net": 6, "org": 6, "de": 4, "io": 4, "me": 3, "co.uk": 3, "dev": 2, "ca": 2,
    "com.au": 2, "in": 2, "fr": 2, "nl": 2, "info": 1, "blog": 1, "us": 1, "co": 1, "ru": 1,
}  # fmt: skip
OWN_SITE_PATHS = {
    "": 60,
    "/": 12,
    "/blog/": 10,
    "/about": 5,
    "/blog": 4,
    "/en/": 3,
    "/index.html": 2,
}
HOSTED_SHAPES = (
    "https://{n}.wordpress.com/",
    "https://{n}.blogspot.com/",
    "http://{n}.blogspot.com",
    "https://github.com/{n}",
    "https://twitter.com/{n}",
    "https://x.com/{n}",
    "https://www.linkedin.com/in/{n}",
    "https://medium.com/@{n}",
    "https://{n}.substack.com/",
    "https://www.facebook.com/{n}",
    "https://www.instagram.com/{n}/",
    "https://www.youtube.com/@{n}",
    "https://{n}.github.io/",
    "https://{n}.tumblr.com/",
)
OWN_SITE_RATE = 0.65  # the rest are hosted blogs and profiles
HANDLE_SUFFIXES = ("codes", "writes", "blog", "dev", "tech", "photo", "travels", "notes",
                   "lab", "online", "web", "design", "studio", "thoughts", "life", "home")  # fmt: skip
HANDLE_PREFIXES = ("the", "my", "ask", "hello", "coding", "just")
FIRST = ("anna", "ben", "carla", "david", "elena", "frank", "grace", "hugo", "irene", "jakob",
         "kim", "li", "maria", "nils", "olga", "pedro", "qiu", "rosa", "sam", "tariq", "uma",
         "victor", "wei", "xenia", "yusuf", "zoe", "aisha", "bruno", "chloe", "diego", "emma",
         "fatima", "george", "hana", "ivan", "julia", "kenji", "laura", "marco", "nadia",
         "omar", "paula", "rahul", "sofia", "thomas", "vera", "william", "yuki", "priya",
         "lucas", "mei", "jean", "sarah", "michael", "james", "linda", "chris", "alex")  # fmt: skip
LAST = ("smith", "garcia", "mueller", "rossi", "tanaka", "kowalski", "novak", "silva", "ivanov",
        "nguyen", "brown", "dubois", "jansen", "larsen", "okafor", "patel", "chen", "kim",
        "johnson", "martin", "lopez", "schmidt", "bianchi", "sato", "wojcik", "horvat", "costa",
        "petrov", "tran", "wilson", "moreau", "visser", "berg", "adeyemi", "shah", "wang",
        "murphy", "taylor", "fischer", "ricci", "yamamoto", "santos", "hughes", "kaur")  # fmt: skip
_NAME_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class AugmentConfig:
    email_rate: float = 0.6
    url_rate: float = 0.6  # as often as the spam that has one, so that having one says little
    name_rate: float = 0.6
    link_rate: float = 0.25  # legitimate texts that get one or two reference links
    spam_link_rate: float = 0.25  # spam texts that get them too (and stay spam)
    payload_free_rate: float = 0.5  # link spam whose copy without its link counts as ham
    addressed_rate: float = 1.0  # self-promotion turned toward the author: a legitimate copy

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def augment(examples: list[Example], config: AugmentConfig, seed: int) -> list[Example]:
    """One training copy per row: legitimate rows with synthetic author fields or links, spam
    with a reference link or (legitimate) without its payload; unchanged rows are no copy."""
    rng = np.random.default_rng(seed)
    domains = list(FREEMAIL_WEIGHTS)
    weights = np.array(list(FREEMAIL_WEIGHTS.values()), dtype=float)
    weights /= weights.sum()
    return [
        _spam_copy(rng, ex, config) if ex.is_spam else _ham_copy(rng, ex, config, domains, weights)
        for ex in examples
    ]


def _ham_copy(
    rng: np.random.Generator,
    ex: Example,
    config: AugmentConfig,
    domains: list[str],
    weights: np.ndarray[Any, Any],
) -> Example:
    """A legitimate row with plausible author fields it lacks and sometimes reference links."""
    fields = dict(ex.fields)
    first, last = str(rng.choice(FIRST)), str(rng.choice(LAST))
    if "comment_author" not in fields and rng.random() < config.name_rate:
        fields["comment_author"] = _display_name(rng, first, last)
    handle = _handle(fields.get("comment_author", ""), first, last, rng)
    if "comment_author_email" not in fields and rng.random() < config.email_rate:
        fields["comment_author_email"] = _email(rng, handle, first, last, domains, weights)
    if "comment_author_url" not in fields and rng.random() < config.url_rate:
        fields["comment_author_url"] = _web_address(rng, handle, first)
    if rng.random() < config.link_rate:
        fields["comment_content"] = _with_links(rng, fields.get("comment_content", ""), handle)
    return Example(ex.id, ex.source, ex.label, fields)


def _spam_copy(rng: np.random.Generator, ex: Example, config: AugmentConfig) -> Example:
    """Link spam without its payload (legitimate), else sometimes the spam with a reference
    link (still spam: a citation must not launder spam)."""
    stripped = _without_payload(rng, ex, config)
    if stripped is ex:
        stripped = _addressed(rng, ex, config)
    if stripped is not ex or rng.random() >= config.spam_link_rate:
        return stripped
    fields = dict(ex.fields)
    handle = f"{rng.choice(FIRST)}{rng.choice(LAST)}"
    fields["comment_content"] = _with_links(rng, fields.get("comment_content", ""), handle)
    return Example(ex.id, ex.source, ex.label, fields)


def _without_payload(rng: np.random.Generator, ex: Example, config: AugmentConfig) -> Example:
    """Link spam whose only payload is the author URL, stripped of it and of its keyword name.

    Comment spam of this kind is generic praise ("Great post, thanks for sharing") with the
    link in the author URL. What remains without the link harms no one, and a reader may write
    the very same words; training on the stripped copy as legitimate makes the model look for
    the payload instead of filing every short thank-you as spam. The row itself stays spam.
    """
    fields = ex.fields
    text = fields.get("comment_content", "")
    if (
        not fields.get("comment_author_url")
        or _LINKISH_RE.search(text)
        or rng.random() >= config.payload_free_rate
    ):
        return ex
    return _reader_copy(rng, ex, fields.get("comment_content", ""))


def _reader_copy(rng: np.random.Generator, ex: Example, text: str) -> Example:
    """A legitimate copy with ``text``: the commenter's web and e-mail addresses dropped, a
    person's name for a (keyword) author name."""
    first, last = str(rng.choice(FIRST)), str(rng.choice(LAST))
    fields = {
        k: v
        for k, v in ex.fields.items()
        if k not in {"comment_author_url", "comment_author_email"}
    }
    if "comment_content" in ex.fields:
        fields["comment_content"] = text
    fields["comment_author"] = _display_name(rng, first, last)
    return Example(ex.id, ex.source, Label.HAM, fields)


_SELF_RE = re.compile(
    r"\b(?:my|our)(?=\s+(?:new\s+|own\s+|youtube\s+)?(?:channel|videos?|vlogs?|music|songs?|covers?"
    r"|playlist|newsletter|podcast)\b)"
    r"|(?<=\bsubscribe to )me\b|(?<=\bsubscribe )me\b|(?<=\bcheck out )my\b",
    re.IGNORECASE,
)


def _addressed(rng: np.random.Generator, ex: Example, config: AugmentConfig) -> Example:
    """Self-promotion ("subscribe to my channel") turned toward the author ("…to your
    channel"), as legitimate: readers of a blog whose author also has a channel, videos or a
    newsletter write these words, and what makes the spam is that it promotes its own."""
    fields = ex.fields
    text = fields.get("comment_content", "")
    if not config.addressed_rate or _LINKISH_RE.search(text):
        return ex
    if rng.random() >= config.addressed_rate:
        return ex
    flipped = _SELF_RE.sub(lambda m: "you" if m.group(0).lower() == "me" else "your", text)
    return ex if flipped == text else _reader_copy(rng, ex, flipped)


def _display_name(rng: np.random.Generator, first: str, last: str) -> str:
    """A reader's name as comment forms get them: full, first only, a handle, an initial, and
    sometimes three words (a middle name), so that a name's length says little."""
    shape = int(rng.integers(7))
    if shape in (0, 6):  # the full name, twice as often as each other shape
        return f"{first.title()} {last.title()}"
    if shape == 1:
        return first.title()
    if shape == 2:
        return f"{first}{int(rng.integers(1, 99))}"
    if shape == 3:
        return f"{first.title()} {last[0].upper()}."
    if shape == 4:
        return f"{first}_{last}" if rng.random() < 0.5 else f"{first[0]}{last}"
    middle = str(rng.choice(FIRST)).title()
    return f"{first.title()} {middle} {last.title()}"


def _web_address(rng: np.random.Generator, handle: str, first: str) -> str:
    """A reader's own web address: mostly their site at the root of its own domain."""
    if rng.random() >= OWN_SITE_RATE:
        return str(rng.choice(HOSTED_SHAPES)).format(n=handle)
    name = handle
    if rng.random() < 0.3:  # a site named for what it is about, not for its owner
        name = (
            f"{first}{rng.choice(HANDLE_SUFFIXES)}"
            if rng.random() < 0.6
            else f"{rng.choice(HANDLE_PREFIXES)}{handle}"
        )
    scheme = "https://" if rng.random() < 0.7 else "http://"
    www = "www." if rng.random() < 0.35 else ""
    tld = _weighted(rng, OWN_SITE_TLDS)
    return f"{scheme}{www}{name}.{tld}{_weighted(rng, OWN_SITE_PATHS)}"


def _weighted(rng: np.random.Generator, table: dict[str, int]) -> str:
    keys = list(table)
    weights = np.array(list(table.values()), dtype=float)
    return str(keys[int(rng.choice(len(keys), p=weights / weights.sum()))])


def _handle(author: str, first: str, last: str, rng: np.random.Generator) -> str:
    words = _NAME_RE.findall(author.lower())
    if words and rng.random() < 0.7:
        return "".join(words)[:20] or first
    return f"{first}{last}" if rng.random() < 0.5 else f"{first}-{last}"


def _email(
    rng: np.random.Generator,
    handle: str,
    first: str,
    last: str,
    domains: list[str],
    weights: np.ndarray[Any, Any],
) -> str:
    local = (
        f"{first}.{last}",
        handle.replace("-", "."),
        f"{first}{int(rng.integers(1, 2000))}",
        f"{first[0]}{last}",
    )[int(rng.integers(4))]
    if rng.random() < 0.75:
        domain = str(rng.choice(domains, p=weights))
    else:
        domain = f"{last}{rng.choice(('', '-home', 'family', 'works'))}.{rng.choice(OWN_TLDS)}"
    return f"{local}@{domain}"


def _with_links(rng: np.random.Generator, text: str, handle: str) -> str:
    """The text with one (sometimes two) reference links placed before, inside or after it."""
    words = _TEXT_WORD_RE.findall(text) or ["article"]
    for _ in range(1 + int(rng.random() < 0.25)):
        word = str(rng.choice(words)).lower()
        url = str(rng.choice(REFERENCE_SHAPES)).format(
            w=word, n=handle, d=int(rng.integers(100, 99999))
        )
        link = str(rng.choice(LINK_FORMS)).format(u=url, w=word)
        where = int(rng.integers(3))
        if where == 0:
            text = f"{link} {text}"
        elif where == 1 and " " in text:
            cut = text.index(" ", len(text) // 2) if " " in text[len(text) // 2 :] else len(text)
            text = f"{text[:cut]} {link}{text[cut:]}"
        else:
            text = f"{text} {link}"
    return text
