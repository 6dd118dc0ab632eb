import numpy as np
import pytest

from rejoinder.core.records.verdict import Label
from rejoinder.spam.learning.calibration import (
    MAX_LENGTH,
    Blend,
    Blends,
    LengthTerms,
    TextContext,
    length_term,
    text_kind,
)
from rejoinder.spam.learning.classifier import ContentModel
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor
from rejoinder.spam.learning.personal import PersonalModels
from rejoinder.spam.submission import Submission
from rejoinder.training.fitting import MIN_KIND_ROWS, blended, fit_blends


@pytest.mark.parametrize(
    ("content", "comment_type", "kind"),
    [
        ("Great article, thanks for writing it", "comment", "latin"),
        ("Free entry in a weekly competition, text WIN to 80086", "message", "latin"),
        ("Très bon article, merci beaucoup à l'équipe", "", "latin"),
        ("คุณได้รับสิทธิ์โทรฟรี กด *123# โทรออก", "message", "thai"),
        ("Подработка для всех, пишите в ЛС", "message", "cyrillic"),
        ("Спасибо за статью о выборах, very good", "reply", "cyrillic"),
        ("", "comment", "latin"),
        ("🔥🔥🔥 💯", "comment", "latin"),  # no letters: the Latin default
    ],
)
def test_text_kind_is_the_writing_system_whatever_the_comment_type(
    content: str, comment_type: str, kind: str
) -> None:
    assert text_kind(Submission(content=content, comment_type=comment_type)) == kind


def test_a_kind_without_its_own_blend_uses_the_overall_one() -> None:
    thai = Blend(0.5, 0.04, 0.5)
    blends = Blends(Blend(1.2, 0.02, 1.4), {"thai": thai})
    assert blends("thai") is thai
    assert blends("arabic") == Blend(1.2, 0.02, 1.4)
    assert blends("") == Blend(1.2, 0.02, 1.4)


def overconfident_rows(n: int, scale: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Log-odds that are ``scale`` times too sure: the best blend weight is about 1/scale."""
    true_logit = rng.normal(0, 2, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-true_logit))).astype(float)
    return true_logit * scale, rng.normal(0, 1, n), labels


def test_fit_blends_calibrates_each_kind_with_enough_rows_of_both_classes() -> None:
    rng = np.random.default_rng(3)
    lr_a, nb_a, y_a = overconfident_rows(800, 4.0, rng)  # far too sure: shrink
    lr_b, nb_b, y_b = overconfident_rows(800, 0.5, rng)  # too timid: sharpen
    few = MIN_KIND_ROWS - 1
    lr_c, nb_c, y_c = overconfident_rows(few, 1.0, rng)
    lr_d, nb_d, _ = overconfident_rows(400, 1.0, rng)
    y_d = np.ones(400)  # one class only: nothing to calibrate against
    logistic = np.concatenate([lr_a, lr_b, lr_c, lr_d])
    bayes = np.concatenate([nb_a, nb_b, nb_c, nb_d])
    labels = np.concatenate([y_a, y_b, y_c, y_d])
    kinds = np.array(["a"] * 800 + ["b"] * 800 + ["c"] * few + ["d"] * 400)
    blends = fit_blends(logistic, bayes, labels, kinds)
    assert set(blends.by_kind) == {"a", "b"}
    assert blends("a").logistic == pytest.approx(0.25, abs=0.08)
    assert blends("b").logistic == pytest.approx(2.0, abs=0.6)
    assert blends("c") == blends.default
    out = blended(blends, logistic, bayes, kinds)
    assert out[0] == pytest.approx(blends("a")(logistic[0], bayes[0]))
    assert out[900] == pytest.approx(blends("b")(logistic[900], bayes[900]))
    assert out[-1] == pytest.approx(blends.default(logistic[-1], bayes[-1]))


def test_the_content_model_scores_with_the_blend_of_the_text_kind() -> None:
    model = ContentModel.empty(FeatureExtractor(FeatureConfig(bits=12)))
    model.blend = Blends(Blend(1.0, 0.0, -1.0), {"thai": Blend(1.0, 0.0, 2.0)})
    thai = Submission(content="รับเน็ตฟรี 5GB คลิกเลย", comment_type="message")
    latin = Submission(content="free data, click now", comment_type="message")
    assert model.score(thai).logit == pytest.approx(2.0)
    assert model.score(latin).logit == pytest.approx(-1.0)


def test_the_site_adjustment_learns_the_residual_of_the_calibrated_score() -> None:
    """Taught only ham, a site whose kind is already scored as ham learns less."""

    def taught(bias: float) -> float:
        model = ContentModel.empty(FeatureExtractor(FeatureConfig(bits=12)))
        model.personal = PersonalModels(bits=10, min_learns=1)
        model.blend = Blends(Blend(1.0, 0.0, 0.0), {"thai": Blend(1.0, 0.0, bias)})
        sub = Submission(content="แจ้งยอดค่าบริการ 82 บาท", comment_type="message", site="s")
        model.learn_one(sub, Label.HAM)
        model.learn_one(Submission(content="spam", site="s"), Label.SPAM)
        score = model.score(sub)
        assert score.personal is not None
        return score.personal

    assert taught(-6.0) > taught(6.0)


def test_a_kind_learns_trust_in_each_learner_but_not_its_data_sets_spam_rate() -> None:
    """A kind whose rows are 90 % spam keeps a bias near the overall one (a new site of that
    kind need not share the training set's spam rate)."""
    rng = np.random.default_rng(5)
    lr_a, nb_a, y_a = overconfident_rows(800, 1.0, rng)
    lr_b, nb_b = rng.normal(0, 1, 800), rng.normal(0, 1, 800)  # no information at all
    y_b = (rng.random(800) < 0.9).astype(float)
    blends = fit_blends(
        np.concatenate([lr_a, lr_b]),
        np.concatenate([nb_a, nb_b]),
        np.concatenate([y_a, y_b]),
        np.array(["a"] * 800 + ["b"] * 800),
    )
    free_bias = float(np.log(y_b.mean() / (1 - y_b.mean())))  # about 2.2
    assert abs(blends("b").bias - blends.default.bias) < abs(free_bias - blends.default.bias) / 2


def test_a_blend_trusts_the_learners_less_on_long_texts_when_fitted_so() -> None:
    blend = Blend(1.0, 0.1, 0.5, logistic_by_length=-0.2, bayes_by_length=-0.05)
    assert blend(2.0, 10.0) == pytest.approx(2.0 + 1.0 + 0.5)
    assert blend(2.0, 10.0, size=2.0) == pytest.approx(0.6 * 2.0 + 0.0 * 10.0 + 0.5)


def test_length_term_grows_with_the_log_of_the_length_and_stops_at_the_model_limit() -> None:
    assert length_term("x" * 89) == pytest.approx(0.0, abs=0.01)  # ln(90) ≈ LENGTH_CENTER
    assert length_term("x" * 900) > length_term("x" * 90) > length_term("")
    assert length_term("x" * 100_000) == length_term("x" * MAX_LENGTH)
    sub = Submission(content="x" * 500, comment_type="message")
    assert TextContext.of(sub) == TextContext("latin", length_term("x" * 500))


def length_overconfident_rows(n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Log-odds that grow more overconfident the longer the text (as Bayes sums do)."""
    sizes = rng.uniform(-2, 2, n)
    true_logit = rng.normal(0, 2, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-true_logit))).astype(float)
    return true_logit * np.exp(sizes / 2), rng.normal(0, 1, n), labels, sizes


def test_fit_blends_learns_length_slopes_only_when_asked_and_with_enough_rows() -> None:
    rng = np.random.default_rng(11)
    logistic, bayes, labels, sizes = length_overconfident_rows(1500, rng)
    kinds = np.array(["a"] * 1500)
    slopes = fit_blends(logistic, bayes, labels, kinds, sizes, length_terms=LengthTerms.SLOPES)
    assert slopes("a").logistic_by_length < -0.2  # less trust the longer the text
    assert slopes("a").length == 0.0  # no shift by length alone
    plain = fit_blends(logistic, bayes, labels, kinds, sizes)
    assert plain("a").logistic_by_length == 0.0
    loss = {}
    for name, blends in (("slopes", slopes), ("plain", plain)):
        z = blended(blends, logistic, bayes, kinds, sizes)
        loss[name] = float(np.mean(np.logaddexp(0, z) - labels * z))
    assert loss["slopes"] < loss["plain"] - 0.01
    few = slice(0, MIN_KIND_ROWS - 1)
    small = fit_blends(
        logistic[few], bayes[few], labels[few], kinds[few], sizes[few],
        length_terms=LengthTerms.SLOPES,
    )  # fmt: skip
    assert small.default.logistic_by_length == 0.0
