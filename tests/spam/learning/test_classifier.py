import math

import numpy as np

from rejoinder.core.records.verdict import Label
from rejoinder.spam.learning.artifact import load_bundle
from rejoinder.spam.learning.bayes import NaiveBayes
from rejoinder.spam.learning.calibration import Blend, Blends
from rejoinder.spam.learning.classifier import CORRECTION_MARGIN, ClassBalance, ContentModel
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor
from rejoinder.spam.learning.personal import PersonalModels
from rejoinder.spam.signals.content import CONTENT_SYMBOL
from rejoinder.spam.submission import Submission

SPAM = [f"buy cheap viagra pills now at http://pills{i}.example discount" for i in range(20)]
HAM = [f"thanks for the article, the part about chapter {i} was interesting" for i in range(20)]


def model(bits: int = 14, blend: Blend | None = None) -> ContentModel:
    m = ContentModel.empty(FeatureExtractor(FeatureConfig(bits=bits)))
    m.blend = Blends(blend or Blend(1.0, 0.05, 0.0))
    return m


def test_learning_separates_spam_from_ham() -> None:
    m = model()
    for s, h in zip(SPAM, HAM, strict=True):
        m.learn_one(Submission(content=s), Label.SPAM)
        m.learn_one(Submission(content=h), Label.HAM)
    spam = m.score(Submission(content="cheap pills discount at http://pills99.example"))
    ham = m.score(Submission(content="interesting article, thanks for chapter 3"))
    assert spam.probability > 0.8 > 0.2 > ham.probability
    assert m.learned == 40


def test_one_example_moves_the_score_toward_its_label() -> None:
    m = model()
    sub = Submission(content="a brand new campaign phrase never seen")
    before = m.score(sub).logit
    m.learn_one(sub, Label.SPAM)
    assert m.score(sub).logit > before + 0.5


def test_a_correction_is_learned_until_the_model_agrees_with_it() -> None:
    content = load_bundle().content
    reported = Submission(
        content="Grab the zorblaxian quantaflux kit at zorblax-deals before it is gone."
    )
    other = Submission(content="The chart in the second section has the wrong units, I think.")
    before = content.score(reported).logit
    assert before < -3.0
    content.learn_one(reported, Label.SPAM)
    # its own words and host are new: the model keeps stepping on them (at most
    # CORRECTION_STEPS times) and they carry it from ham to the edge of being held
    assert content.score(reported).logit > before + 6.0
    # a bounded step: the last one may pass the margin by part of one step (4.05 with the
    # model of extractor 8, 3.4-3.9 before)
    assert content.score(reported).logit < CORRECTION_MARGIN + 1.5
    assert content.score(other).probability < 0.05  # an unrelated comment stays ham
    reported_logit = content.score(reported).logit
    content.learn_one(reported, Label.HAM)  # and the moderator can take it back
    assert content.score(reported).logit < reported_logit - 0.8
    assert content.score(reported).probability < 0.8  # no longer held


THANKS = (
    "Thanks for sharing this tutorial!",
    "This was really helpful to me. Thank you!",
    "Great post, thanks for sharing.",
    "Really helpful article, thanks.",
)


def test_reports_of_praise_and_payload_teach_the_payload_not_the_praise() -> None:
    bundle = load_bundle()
    content = bundle.content
    site = "https://blog.example"
    thanks = [Submission(content=t, site=site) for t in THANKS]
    before = [content.score(s).logit for s in thanks]
    bias = content.model.bias
    for i in range(8):
        spam = (
            f"Thanks for sharing this tutorial, it is really helpful. For any issue with your "
            f"printer call our experts at +1 888 555 01{i:02} or https://fixprinter{i}.example"
        )
        content.learn_one(Submission(content=spam, site=site), Label.SPAM)
    after = [content.score(s).logit for s in thanks]
    assert content.model.bias == bias  # one site's reports do not shift every comment
    assert max(a - b for a, b in zip(after, before, strict=True)) < 1.0
    # Still published, 0.75 log-odds or more under the hold line (the content score at which
    # the shipped combiner alone reaches the default hold threshold 0.8, about +2.2). The
    # shipped model scores "This was really helpful to me. Thank you!" +1.0 before any report,
    # and the reports move it by less than 0.25 (to +1.19 with content-1.3adb94b75a).
    weight = bundle.combiner.weight(CONTENT_SYMBOL)
    hold_line = (math.log(0.8 / 0.2) - bundle.combiner.bias) / weight
    assert max(after) < hold_line - 0.75
    again = Submission(
        content="Thanks, very helpful tutorial. Printer trouble? Call our experts at "
        "+1 888 555 0199 or https://fixprinter9.example",
        site=site,
    )
    assert content.score(again).probability > 0.9


def test_a_correction_takes_specific_features_in_full_and_common_ones_hardly() -> None:
    content = load_bundle().content
    x = content.features(Submission(content="thanks for the article qwzxv-unseen-token"))
    rare = content.specific(x)
    ratio = rare.values / x.values
    assert ratio.max() > 0.9  # an n-gram never seen before takes the whole step
    assert ratio.min() < 0.1  # "thanks" and "the" hardly move


def test_bayes_counts_each_feature_once_per_example() -> None:
    fx = FeatureExtractor(FeatureConfig(bits=12))
    nb = NaiveBayes.zeros(fx.dim)
    x = fx.extract(Submission(content="spam spam spam spam"))
    nb.learn(x, spam=True)
    assert nb.spam_counts.max() == 1.0
    assert nb.spam_total == len(np.unique(x.indices))
    assert nb.log_odds(x) > 0


def test_class_balance_softens_the_class_learned_far_more_often() -> None:
    balance = ClassBalance()
    assert balance.scale(Label.SPAM) == 1.0
    for _ in range(500):
        balance.count(Label.SPAM)
    assert balance.scale(Label.SPAM) < 0.3
    assert balance.scale(Label.HAM) == 1.0


def test_personal_model_votes_only_after_min_learns_of_each_class() -> None:
    m = model()
    m.personal = PersonalModels(bits=12, min_learns=5)
    site = "https://blog.example"
    probe = Submission(site=site, content="buy cheap pills")
    for i in range(10):
        m.learn_one(Submission(site=site, content=SPAM[i]), Label.SPAM)
    assert m.score(probe).personal is None  # ten spam, no ham: no vote
    for i in range(4):
        m.learn_one(Submission(site=site, content=HAM[i]), Label.HAM)
    assert m.score(probe).personal is None  # four ham < 5
    m.learn_one(Submission(site=site, content=HAM[4]), Label.HAM)
    assert m.score(probe).personal is not None
    assert m.score(Submission(site="https://other.example", content="x")).personal is None


def test_personal_models_drop_the_least_recently_taught_site() -> None:
    fx = FeatureExtractor(FeatureConfig(bits=12))
    personal = PersonalModels(bits=10, min_learns=1, max_sites=2)
    x = fx.extract(Submission(content="hello"))
    for site in ("a", "b", "c"):
        personal.learn(site, x, Label.SPAM, 0.0)
    assert list(personal.sites) == ["b", "c"]


def test_distinct_keeps_each_index_once() -> None:
    from rejoinder.spam.learning.bayes import distinct

    rng = np.random.default_rng(3)
    for _ in range(20):
        idx = rng.integers(0, 50, size=int(rng.integers(0, 200))).astype(np.int64)
        assert sorted(distinct(idx, 64).tolist()) == sorted(set(idx.tolist()))
