"""Outputs that are persisted or shipped must not change by accident.

The shipped model (``spam/models/default.{json,npz}``) holds weights by feature index, the
near-duplicate index stores MinHash signatures, and reputation rows are keyed by HMACs: a
speed-up that changed any of them for the same input would silently break every installed
instance. These digests were taken from the code as it was when the model was trained; if one
fails, the change needs a new ``EXTRACTOR_VERSION`` and a retrained model (features) or a
migration (signatures, reputation keys), not a new digest.
"""

from __future__ import annotations

import hashlib

from rejoinder.core.anonymize import Hasher
from rejoinder.spam.learning import campaigns
from rejoinder.spam.learning.features import FeatureExtractor, field_tokens
from rejoinder.spam.learning.reputation import keys_for
from rejoinder.spam.submission import Submission

LONG = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 60
FIELDS: list[dict[str, str]] = [
    {"comment_content": ""},
    {"comment_content": "Thanks!", "comment_author": "Ann", "user_ip": "203.0.113.7"},
    {"comment_content": "Great post! Check out http://cheap-pills.example/buy?id=3&ref=x for "
     "FREE c4sh prizes &amp; more", "comment_author": "Cheap Airline Flights",
     "comment_author_email": "Jane.Doe1984@gmail.com", "user_ip": "198.51.100.23",
     "comment_author_url": "https://www.best-seo-deals.xyz/blog/post-1/?utm_source=a",
     "comment_type": "trackback"},
    {"comment_content": "Buy p\u0430yp\u0430l accounts f r e e V1AGRA \u200bnow!!! "
     "<a href=\"http://bit.ly/abc\">here</a> [url=http://spam.example/x]x[/url] "
     "[docs](https://docs.example.org/a/b) www.shop.example.co.uk/cart",
     "user_ip": "2001:db8:85a3::8a2e:370:7334", "comment_author_email": "x@mailinator.com",
     "comment_author_url": "http://192.0.2.5:8080/", "comment_author": "www.spam.example"},
    {"comment_content": "\uff26\uff32\uff25\uff25 \U0001d41c\U0001d41a\U0001d42c\U0001d421 "
     "\U0001f600\U0001f525 \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a "
     "\u0645\u0631\u062d\u0628\u0627 \u0661\u0662\u0663 caf\u00e9 na\u00efve STRA\u00dfE",
     "comment_author": "J\u00fcrgen M\u00fcller", "user_ip": "10.0.0.1",
     "comment_author_email": "j\u00fcrgen@m\u00fcller.de"},
    {"comment_content": LONG + " see https://a.example/" + " x" * 50,
     "comment_author_email": "bad-address", "comment_type": "Forum-Post"},
    {"comment_content": "I really enjoyed reading this article about gardening in small spaces, "
     "the part about vertical planters was very helpful and I will try it this spring.",
     "comment_author": "Maria Lopez", "comment_author_email": "m.lopez@example.org",
     "user_ip": "192.0.2.200", "comment_author_url": "example.org/~maria"},
]  # fmt: skip
SECRET = bytes(range(32))

FEATURES_DIGEST = "59d3632717cfb0fa5273d7ff"  # extractor 8: the e-mail gives words, not shape
SIGNATURES_DIGEST = "69a8447515ee092d286626b3"
REPUTATION_DIGEST = "d2d81c2bf4b2acf00e2f6936"


def submissions() -> list[Submission]:
    return [Submission.from_fields(f, site="https://site.example") for f in FIELDS]


def digest(parts: list[bytes]) -> str:
    return hashlib.sha256(b"\x00".join(parts)).hexdigest()[:24]


def test_feature_indices_and_values_are_pinned() -> None:
    extractor = FeatureExtractor()
    parts = []
    for sub in submissions():
        x = extractor.extract(sub)
        parts += [x.indices.astype("<i8").tobytes(), x.values.astype("<f4").tobytes()]
        parts.append("|".join(field_tokens(sub)).encode())
    assert digest(parts) == FEATURES_DIGEST


def test_campaign_signatures_are_pinned() -> None:
    parts = []
    for sub in submissions():
        sig = campaigns.signature(sub.text)
        parts.append(b"-" if sig is None else sig.astype("<u4").tobytes())
        if sig is not None:
            parts.append(campaigns.band_keys(sig.reshape(1, -1)).astype("<u8").tobytes())
        parts.append("|".join(sorted(campaigns.features(sub.text))).encode())
    assert digest(parts) == SIGNATURES_DIGEST


def test_reputation_keys_and_hashes_are_pinned() -> None:
    hasher = Hasher(SECRET)
    parts = []
    for sub in submissions():
        parts += [f"{k.kind.value}:{k.key}:{k.shown}".encode() for k in keys_for(sub, hasher)]
        parts += [
            str(hasher.ip(sub.ip)).encode(),
            str(hasher.ip_prefix(sub.ip)).encode(),
            str(hasher.email(sub.email)).encode(),
            sub.fingerprint.encode(),
        ]
    assert digest(parts) == REPUTATION_DIGEST
