"""The content model as a signal: what the words, links and author fields look like."""

from __future__ import annotations

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.learning.classifier import ContentModel
from rejoinder.spam.learning.textnorm import confusable_fold_table
from rejoinder.spam.submission import Submission

CONTENT_SYMBOL = "CONTENT_MODEL"
PERSONAL_SYMBOL = "CONTENT_MODEL_PERSONAL"


class ContentModelSignal:
    """Emits ``CONTENT_MODEL`` (the global model's log-odds) on every submission, and ``CONTENT_MODEL_PERSONAL`` (this site's learned adjustment) once the site has taught
    its own model enough spam and ham."""

    name = "content_model"

    def __init__(self, model: ContentModel):
        self.model = model

    def warm_up(self) -> None:
        """Pay one-time costs (the look-alike table, first numpy calls) before any budget."""
        confusable_fold_table()
        self.model.score(Submission(content="warm up: p\u0430yp\u0430l c4sh http://a.example"))

    def evaluate(self, submission: Submission) -> list[Hit]:
        # Always scored, even without text: the combiner's bias is fitted with this score
        # present, so the model's view of an empty comment is the prior.
        score = self.model.score(submission)
        hits = [Hit(CONTENT_SYMBOL, score.logit, describe(score.probability))]
        if score.personal is not None:
            hits.append(Hit(PERSONAL_SYMBOL, score.personal, describe_personal(score.personal)))
        return hits


def describe(probability: float) -> str:
    if probability >= 0.9:
        lead = "The text strongly resembles known spam"
    elif probability >= 0.5:
        lead = "The text resembles known spam"
    elif probability > 0.1:
        lead = "The text looks mostly like ordinary comments"
    else:
        lead = "The text resembles legitimate comments"
    return f"{lead} (content model p={probability:.2f})."


def describe_personal(adjustment: float) -> str:
    direction = "toward spam" if adjustment > 0 else "toward legitimate"
    return (
        f"This site's own moderation decisions move the verdict {direction} "
        f"({adjustment:+.2f} log-odds)."
    )
