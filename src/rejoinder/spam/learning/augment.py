"""Training-time augmentation that breaks the "has an e-mail address, so it is spam" shortcut.

In the labelled data only the WordPress blog spam carries an e-mail address and an author URL
(and it is all spam), while every real WordPress comment, spam or not, sends an e-mail address.
A model trained on the rows as they are learns that *having* these fields means spam. So, for
training only, legitimate rows get plausible fields of their own: an e-mail address (mostly
at the big free-mail providers, sometimes at an own domain), sometimes a personal web site
(a home page, a blog, a GitHub or social profile) and, where the source has none, a person's
name. The model then has to learn what spammers' fields *look like* (keyword author names,
profile pages on unrelated sites, campaign hosts) rather than that they exist.

Evaluation always scores the rows as they are; nothing synthetic ever reaches a metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from rejoinder.spam.learning.dataset import Example

FREEMAIL_WEIGHTS = {
    "gmail.com": 45, "yahoo.com": 12, "hotmail.com": 9, "outlook.com": 7, "icloud.com": 5,
    "aol.com": 3, "live.com": 2, "gmx.de": 2, "web.de": 1, "protonmail.com": 2,
    "mail.ru": 2, "yandex.ru": 2, "ymail.com": 1,
}  # fmt: skip
OWN_TLDS = ("com", "org", "net", "de", "co.uk", "fr", "nl", "edu", "io", "ca", "com.au", "ru")
SITE_SHAPES = (
    "https://{n}.com/",
    "https://www.{n}.net/",
    "https://{n}.wordpress.com/",
    "https://{n}.blogspot.com/",
    "https://github.com/{n}",
    "https://twitter.com/{n}",
    "https://www.linkedin.com/in/{n}",
    "https://medium.com/@{n}",
    "https://{n}.org/blog/",
    "https://{n}.dev/about",
    "http://www.{n}.co.uk/",
    "https://{n}.substack.com/",
)
FIRST = ("anna", "ben", "carla", "david", "elena", "frank", "grace", "hugo", "irene", "jakob",
         "kim", "li", "maria", "nils", "olga", "pedro", "qiu", "rosa", "sam", "tariq", "uma",
         "victor", "wei", "xenia", "yusuf", "zoe")  # fmt: skip
LAST = ("smith", "garcia", "mueller", "rossi", "tanaka", "kowalski", "novak", "silva", "ivanov",
        "nguyen", "brown", "dubois", "jansen", "larsen", "okafor", "patel", "chen", "kim")  # fmt: skip
_NAME_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class AugmentConfig:
    email_rate: float = 0.6
    url_rate: float = 0.3
    name_rate: float = 0.6

    def as_dict(self) -> dict[str, float]:
        return {
            "email_rate": self.email_rate,
            "url_rate": self.url_rate,
            "name_rate": self.name_rate,
        }


def augment_ham(examples: list[Example], config: AugmentConfig, seed: int) -> list[Example]:
    """A copy of the list where ham rows may carry synthetic author fields (spam is untouched)."""
    rng = np.random.default_rng(seed)
    domains = list(FREEMAIL_WEIGHTS)
    weights = np.array(list(FREEMAIL_WEIGHTS.values()), dtype=float)
    weights /= weights.sum()
    out: list[Example] = []
    for ex in examples:
        if ex.is_spam:
            out.append(ex)
            continue
        fields = dict(ex.fields)
        first, last = str(rng.choice(FIRST)), str(rng.choice(LAST))
        if "comment_author" not in fields and rng.random() < config.name_rate:
            fields["comment_author"] = _display_name(rng, first, last)
        handle = _handle(fields.get("comment_author", ""), first, last, rng)
        if "comment_author_email" not in fields and rng.random() < config.email_rate:
            fields["comment_author_email"] = _email(rng, handle, first, last, domains, weights)
        if "comment_author_url" not in fields and rng.random() < config.url_rate:
            fields["comment_author_url"] = str(rng.choice(SITE_SHAPES)).format(n=handle)
        out.append(Example(ex.id, ex.source, ex.label, fields))
    return out


def _display_name(rng: np.random.Generator, first: str, last: str) -> str:
    shape = int(rng.integers(4))
    if shape == 0:
        return f"{first.title()} {last.title()}"
    if shape == 1:
        return first.title()
    if shape == 2:
        return f"{first}{int(rng.integers(1, 99))}"
    return f"{first.title()} {last[0].upper()}."


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
