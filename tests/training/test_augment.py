"""Training-time augmentation: legitimate copies with author fields, reference links, and link
spam stripped of its payload."""

from __future__ import annotations

from urllib.parse import urlsplit

from rejoinder.core.records.verdict import Label
from rejoinder.core.urls import url_host
from rejoinder.spam.submission import Submission
from rejoinder.training.augment import AugmentConfig, augment
from rejoinder.training.dataset import Example

ALWAYS = AugmentConfig(email_rate=1.0, url_rate=1.0, name_rate=1.0, link_rate=1.0,
                       spam_link_rate=1.0, payload_free_rate=1.0)  # fmt: skip


def _ham(i: int, text: str) -> Example:
    return Example(f"h{i}", "src", Label.HAM, {"comment_content": text})


def test_ham_gets_author_fields_and_a_reference_link() -> None:
    rows = [_ham(i, "The council vote was closer than the article suggests") for i in range(20)]
    out = augment(rows, ALWAYS, seed=1)
    assert all(ex.label is Label.HAM for ex in out)
    assert all(ex.fields["comment_author_email"].count("@") == 1 for ex in out)
    with_links = [Submission.from_fields(ex.fields).urls for ex in out]
    assert all(urls for urls in with_links), with_links
    assert all("council" in ex.fields["comment_content"] for ex in out)  # text kept


def test_link_spam_without_its_link_becomes_a_legitimate_copy() -> None:
    spam = Example("s1", "blog", Label.SPAM, {
        "comment_content": "Great post, thanks for sharing this with us.",
        "comment_author": "cheap airline flights",
        "comment_author_email": "Xxxx99@yahoo.com",
        "comment_author_url": "http://cheap-flights.example/deals",
    })  # fmt: skip
    (copy,) = augment([spam], ALWAYS, seed=1)
    assert copy.label is Label.HAM
    assert "comment_author_url" not in copy.fields and "comment_author_email" not in copy.fields
    assert copy.fields["comment_author"] != "cheap airline flights"
    assert copy.fields["comment_content"] == spam.fields["comment_content"]


def test_other_spam_gets_a_reference_link_and_stays_spam() -> None:
    """A citation must not launder spam: spam copies carry reference links too."""
    linked = Example("s2", "blog", Label.SPAM, {
        "comment_content": "Buy now at http://pills.example", "comment_author_url": "http://a.example",
    })  # fmt: skip
    bare = Example("s3", "sms", Label.SPAM, {"comment_content": "WINNER call 09061701461"})
    for original, copy in zip([linked, bare], augment([linked, bare], ALWAYS, seed=1), strict=True):
        assert copy.label is Label.SPAM
        assert original.fields["comment_content"].split()[0] in copy.fields["comment_content"]
        urls = Submission.from_fields(copy.fields).urls
        assert len(urls) > len(Submission.from_fields(original.fields).urls)
    never = AugmentConfig(spam_link_rate=0.0)
    assert augment([linked, bare], never, seed=1) == [linked, bare]


def test_augmentation_is_reproducible() -> None:
    rows = [_ham(i, f"comment number {i} about the budget") for i in range(30)]
    config = AugmentConfig()
    assert augment(rows, config, seed=7) == augment(rows, config, seed=7)


def test_readers_web_addresses_are_mostly_their_own_sites_home_page() -> None:
    """Blog spam's addresses are mostly the root of a .com; so are most readers'. The synthetic
    readers must share that shape, or the shape alone would teach "spam" (issue 15)."""
    rows = [_ham(i, "I tried this on my laptop and it worked") for i in range(600)]
    urls = [ex.fields["comment_author_url"] for ex in augment(rows, ALWAYS, seed=3)]
    hosts = [url_host(u) for u in urls]
    roots = [u for u in urls if urlsplit(u).path in ("", "/")]
    dot_com_roots = [
        u for u in roots if url_host(u).endswith(".com") and url_host(u).count(".") <= 2
    ]
    assert len(roots) / len(urls) > 0.4
    assert len(dot_com_roots) / len(urls) > 0.2
    assert any(h.startswith("www.") for h in hosts) and any(u.startswith("http://") for u in urls)
    assert any("github.com" in h or "blogspot.com" in h for h in hosts)  # profiles and blogs too


def test_readers_names_have_one_to_three_words() -> None:
    rows = [_ham(i, "Which version of the library did you use?") for i in range(300)]
    names = [ex.fields["comment_author"] for ex in augment(rows, ALWAYS, seed=4)]
    lengths = {len(name.split()) for name in names}
    assert lengths == {1, 2, 3}


def test_self_promotion_turned_toward_the_author_becomes_a_legitimate_copy() -> None:
    """ "Subscribe to my channel" is spam; "subscribe to your channel" is a blog's reader."""
    spam = Example(
        "s4",
        "youtube",
        Label.SPAM,
        {
            "comment_content": "Hey guys, check out my new video and subscribe to me! My music is on my channel",
            "comment_author": "DJ Promo",
        },
    )
    (copy,) = augment([spam], AugmentConfig(addressed_rate=1.0, spam_link_rate=0.0), seed=1)
    assert copy.label is Label.HAM
    assert copy.fields["comment_content"] == (
        "Hey guys, check out your new video and subscribe to you! your music is on your channel"
    )
    assert copy.fields["comment_author"] != "DJ Promo"


def test_self_promotion_with_a_link_or_nothing_to_turn_gets_no_legitimate_copy() -> None:
    rows = [
        Example(
            "s5",
            "youtube",
            Label.SPAM,
            {"comment_content": "subscribe to my channel www.yt.example"},
        ),
        Example("s6", "youtube", Label.SPAM, {"comment_content": "my mom says this song is great"}),
    ]
    out = augment(rows, AugmentConfig(addressed_rate=1.0, spam_link_rate=0.0), seed=1)
    assert out == rows
    assert (
        augment(rows[:1], AugmentConfig(addressed_rate=0.0, spam_link_rate=0.0), seed=1) == rows[:1]
    )
