"""build_services: the spam engine (its content model takes a few tenths of a CPU second to
load) is built on first use, once, and a label still reaches the content model."""

from __future__ import annotations

from rejoinder.core.records.verdict import Label
from rejoinder.services import Services
from rejoinder.spam.labels import FeedbackSource, Labelled
from rejoinder.spam.submission import Submission


def test_the_engine_is_built_on_first_use_only(services: Services) -> None:
    assert not services.lazy_engine.built and not services.lazy_checks.built
    services.sites.list_sites()  # what `rejoinder sites list` does
    assert not services.lazy_engine.built
    engine = services.checks.engine  # the Akismet-facing service is built on the engine
    assert services.lazy_engine.built and engine is services.engine is services.comments.engine()


def test_a_label_before_the_engine_is_built_reaches_the_content_model(services: Services) -> None:
    sub = Submission(site="https://blog.example", content="cheap watches http://w.example/buy")
    recorded = services.labels.teach(Labelled(sub, Label.SPAM), FeedbackSource.MODERATOR)
    assert recorded is not None and services.lazy_engine.built
    content = services.engine.content_state
    assert content is not None and content.last_id == recorded.feedback_id
