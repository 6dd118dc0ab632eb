"""The spam-template signal: the spun praise of link spam matches in any of its spins; readers'
own praise, idioms and questions do not."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.templates import (
    PAYLOAD_SCORE,
    SAMPLE,
    SCORE,
    SCORE_SEVERAL,
    TemplateSignal,
    anchors_of,
    matches,
    parse,
    templates,
    words_of,
)
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of


def hits(content: str) -> list[Hit]:
    return TemplateSignal().evaluate(Submission.from_fields({"comment_content": content}))


@pytest.mark.parametrize(
    "text",
    [
        "Nice read, I just passed this onto a colleague who was doing a little research on that. "
        "And he actually bought me breakfast because I found it for him smile.",
        "Unquestionably believe that which you stated. Your favorite reason seemed to be on the "
        "web the simplest thing to be aware of.",
        "Its like you read my mind! You seem to know so much about this, like you wrote the "
        "book in it or something.",
        "Howdy! This post could not be written any better! Reading this post reminds me of my "
        "old room mate!",
        "I like what you guys tend to be up too. Such clever work and coverage!",
        "How long have you been running a blog for? you make blogging glance easy.",
        "Wow, that's what I was exploring for, what a data! present here at this weblog, thanks "
        "admin of this site. I hit the nail upon the top with this fastidious paragraph.",
        "Hey, I am for the first time here. I came across this board and I find It truly useful",
    ],
)
def test_a_spun_template_leans_toward_spam(text: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "SPAM_TEMPLATE" and hit.score in (SCORE, SCORE_SEVERAL)
    assert hit.detail.startswith('A comment-spam template: "')


def test_a_template_with_a_web_address_to_carry_weighs_more() -> None:
    text = "I have been absent for a while, but now I remember why I used to love this blog."
    fields = {"comment_content": text, "comment_author_url": "http://www.mltwy.example/"}
    (hit,) = TemplateSignal().evaluate(Submission.from_fields(fields))
    assert hit.score == SCORE + PAYLOAD_SCORE
    assert hit.detail.endswith(", with a web address to carry.")
    (linked,) = hits(text + ' <a href="https://cheap-bags.example/">bags</a>')
    assert linked.score == SCORE + PAYLOAD_SCORE
    (bare,) = hits(text)
    assert bare.score == SCORE and bare.detail.endswith('love".')


def test_several_templates_weigh_more_and_the_detail_quotes_the_first() -> None:
    (hit,) = hits(
        "I have been absent for some time, but now I remember why I used to love this site. "
        "Thank you, I will try and check back more often. How frequently you update your "
        "website?"
    )
    assert hit.score == SCORE_SEVERAL > SCORE
    assert '"absent for some time but now i remember why i used to love" and 1 more' in (hit.detail)


@pytest.mark.parametrize(
    "text",
    [
        "I¡¦ll right away grab your rss as I can not in finding your email subscription hyperlink "
        "or e-newsletter service.",  # the mojibake of an apostrophe
        "I’m not sure where you’re getting your info, but great topic.",  # typographic quotes
        "Hi there very cool site!! Man .. Beautiful .. I will bookmark your site and take the "
        "feeds also¡KI am happy to find so many useful info here",  # an ellipsis' mojibake
        "SO IT SEEMS TOO COMPLICATED AND VERY BROAD FOR ME.",
    ],
)
def test_apostrophes_case_and_mojibake_do_not_hide_a_template(text: str) -> None:
    assert len(hits(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Great post, thanks!",
        "Very informative post. I learned a lot.",
        "You hit the nail on the head with the section on indexes.",
        "It's like you read my mind, I was about to ask about merge.",
        "I'm not sure where you're getting that number from, the docs say 3.",
        "This is a bit off topic but I was wondering if you could cover joins next.",
        "Which blog platform do you use? The code blocks look great.",
        "I like what you guys are up to with the new release.",
        "Thanks for sharing! I passed this on to my team.",
        "My colleague bought me lunch for fixing his script, so thanks for the tip!",
        "I will bookmark this page and come back when I start the project.",
        "The new version is consistently fast on my machine.",
    ],
)
def test_readers_praise_idioms_and_questions_do_not_match(text: str) -> None:
    assert hits(text) == []


def test_every_line_of_the_shipped_list_compiles_and_has_anchors() -> None:
    listed = templates()
    assert len(listed) > 200
    assert all(t.anchors for t in listed)
    assert all(
        t.pattern.pattern.startswith(" ") and t.pattern.pattern.endswith(" ") for t in listed
    )


def test_anchors_are_only_the_words_a_phrase_cannot_match_without() -> None:
    assert anchors_of("(several|four) e ?mails with the same comment") == {
        "with",
        "the",
        "same",
        "comment",
    }
    assert anchors_of("look(ing)? forward to seeking more") == {"forward", "to", "seeking", "more"}
    assert anchors_of("(a|b) (c|d)") == frozenset()


def test_a_phrase_without_anchors_is_still_tried() -> None:
    (template,) = parse(["(fastidious|pleasant) paragraph"])
    assert template.anchors == frozenset({"paragraph"})
    (bare,) = parse(["(fastidious|pleasant) (paragraph|post)"])
    assert bare.anchors == frozenset() and bare.pattern.search(words_of("A pleasant post!"))


def test_only_the_opening_sample_is_read() -> None:
    template = "Its like you read my mind! Like you wrote the book in it or something."
    assert matches(template)
    assert matches("x " * (SAMPLE // 2) + template) == []


def test_words_are_lower_case_without_apostrophes_one_space_apart() -> None:
    assert words_of("  I'll  BOOKMARK—your\tblog…  ") == " ill bookmark your blog "


def test_a_long_comment_costs_under_two_milliseconds_of_cpu() -> None:
    text = ("Some ordinary words about pandas, indexes and your data for the tutorial. " * 60)[
        :SAMPLE
    ]
    assert best_of(lambda: matches(text), under_ms=2.0).cpu_ms < 2.0
