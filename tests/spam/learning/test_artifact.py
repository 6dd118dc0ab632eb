from pathlib import Path

import numpy as np
import pytest

from rejoinder.core.records.verdict import Action, Label, Thresholds, Verdict
from rejoinder.errors import ConfigError
from rejoinder.settings import Settings
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.learning.artifact import (
    ModelBundle,
    load_bundle,
    save_bundle,
    shipped_path,
)
from rejoinder.spam.learning.calibration import Blend, Blends, TextContext
from rejoinder.spam.learning.classifier import ContentModel
from rejoinder.spam.learning.combiner import Combiner
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor
from rejoinder.spam.submission import Submission

# What a new install uses: the default thresholds of the settings.
THRESHOLDS = Thresholds(
    *(
        float(Settings.model_fields[f"threshold_{name}"].default)
        for name in ("hold", "spam", "discard")
    )
)
# These tests are about verdicts, not about the time budget (its own tests keep the default):
# a loaded machine must not turn a slow first language check into a held comment.
VERDICT_BUDGET_MS = 2_000.0
BROWSER = "Mozilla/5.0"


def shipped_check(fields: dict[str, str]) -> Verdict:
    """The shipped model's verdict on Akismet fields, at the default thresholds."""
    return Engine(EngineConfig(THRESHOLDS, signal_budget_ms=VERDICT_BUDGET_MS)).check(
        Submission.from_fields(fields)
    )


def trained(bits: int = 12) -> ContentModel:
    m = ContentModel.empty(FeatureExtractor(FeatureConfig(bits=bits)))
    m.blend = Blends(Blend(1.1, 0.02, -0.3, -0.2, 0.01), {"thai": Blend(0.5, 0.03, 0.4)})
    m.version = "content-1.test"
    for i in range(10):
        m.learn_one(Submission(content=f"cheap pills {i} http://p{i}.example"), Label.SPAM)
        m.learn_one(Submission(content=f"nice article about topic {i}"), Label.HAM)
    return m


def test_save_and_load_give_the_same_scores(tmp_path: Path) -> None:
    model = trained()
    bundle = ModelBundle(model, Combiner(-0.5, {"CONTENT_MODEL": 1.2}), {"seed": 7})
    path = tmp_path / "m.json"
    save_bundle(bundle, path)
    loaded = load_bundle(path)
    assert loaded.version == "content-1.test"
    assert loaded.combiner == bundle.combiner
    assert loaded.metadata["seed"] == 7
    assert loaded.content.blend == model.blend
    for text, kind in [
        ("cheap pills 3", ""),
        ("nice article " * 40, ""),
        ("", ""),
        ("ยาถูก 3", "message"),
    ]:
        sub = Submission(content=text, comment_type=kind)
        assert loaded.content.score(sub).logit == pytest.approx(model.score(sub).logit, abs=1e-5)
    assert np.allclose(loaded.content.bayes.spam_counts, model.bayes.spam_counts)


def test_loaded_bundles_learn_independently(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save_bundle(ModelBundle(trained(), Combiner()), path)
    first, second = load_bundle(path), load_bundle(path)
    sub = Submission(content="a completely new phrase")
    first.content.learn_one(sub, Label.SPAM)
    assert first.content.score(sub).logit > second.content.score(sub).logit


def test_damaged_or_missing_artifacts_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read model"):
        load_bundle(tmp_path / "missing.json")
    path = tmp_path / "m.json"
    save_bundle(ModelBundle(trained(), Combiner()), path)
    path.with_suffix(".npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="weights"):
        load_bundle(path)
    path.write_text('{"format": 99}')
    with pytest.raises(ConfigError, match="not a rejoinder model"):
        load_bundle(path)


def test_shipped_model_is_in_the_package_and_small() -> None:
    path = shipped_path()
    assert path.is_file() and path.with_suffix(".npz").is_file()
    assert path.with_suffix(".npz").stat().st_size < 5_000_000
    meta = load_bundle().metadata
    assert meta["thresholds"]["spam"] > meta["thresholds"]["hold"]
    # A broken model scores far lower. 0.894 since extractor 8: the blog spam's masked e-mail
    # addresses (a data artefact) no longer count, and with them 10 points of its recall.
    assert meta["metrics"]["cv"]["engine"]["f1"] > 0.88
    assert meta["metrics"]["cv"]["engine"]["fpr"] <= 0.0025


def test_shipped_model_calibrates_each_writing_system_it_has_data_for() -> None:
    content = load_bundle().content
    assert set(content.blend.by_kind) == {"latin", "thai", "cyrillic"}
    for blend in (content.blend.default, content.blend.by_kind["latin"]):
        assert blend.logistic_by_length < 0  # the longer the text, the less each clue counts
    for blend in (content.blend.default, *content.blend.by_kind.values()):
        # With the logistic weights bounded (FitConfig.max_weight) the Thai learner is no
        # longer overconfident on long texts, and its slope is about 0 (+0.05): none may grow
        # clearly more certain with length.
        assert blend.logistic_by_length < 0.1
        assert blend.length == 0.0  # and length alone never moves the score
    thai = Submission(content="รับเน็ตฟรี 5GB คลิกเลย tmvh.co/205 วันนี้เท่านั้น")
    assert content.blend(TextContext.of(thai).kind) is content.blend.by_kind["thai"]


@pytest.mark.parametrize(
    "fields",
    [
        {
            "comment_content": "WINNER!! You have won a £1000 cash prize. Call 09061701461 to claim now. T&C apply"
        },
        {"comment_content": "Check out my new channel and SUBSCRIBE!!! http://bit.ly/3xfree-views"},
        {
            "comment_content": "Great post, thanks for sharing! My web page: cheap garcinia cambogia free trial",
            "comment_author": "garcinia cambogia free trial",
            "comment_author_url": "http://www.enagames.com/profile/renatevfl00",
        },
    ],
)
@pytest.mark.parametrize("citation", ["", " See https://en.wikipedia.org/wiki/Special:Random"])
def test_shipped_model_catches_obvious_spam(fields: dict[str, str], citation: str) -> None:
    """Also when a reference link is added to look legitimate."""
    fields = dict(fields, comment_content=fields["comment_content"] + citation)
    verdict = shipped_check(fields)
    assert verdict.action in (Action.SPAM, Action.DISCARD), verdict.as_dict()
    assert "CONTENT_MODEL" in verdict.symbols()


@pytest.mark.parametrize(
    "text",
    [
        "I think the council is wrong about the library budget; the old building is fine.",
        "Are we still on for dinner tomorrow at 7? I'll bring the salad.",
        "Merkel would never agree to that, and the article misses the point about the vote.",
    ],
)
def test_shipped_model_accepts_obvious_ham(text: str) -> None:
    fields = {
        "comment_content": text,
        "comment_author": "Jane Doe",
        "comment_author_email": "jane.doe@gmail.com",
    }
    verdict = shipped_check(fields)
    assert verdict.action is Action.ACCEPT, verdict.as_dict()
    assert verdict.model_version.startswith("content-1.")


# The same ordinary comment ("Very good article, thanks. I think the government should invest
# more in rural education.") in languages and scripts the labelled data does not have.
UNSEEN_LANGUAGES = {
    "vi": "Bài viết rất hay, cảm ơn tác giả. Tôi nghĩ chính phủ nên đầu tư nhiều hơn vào giáo dục ở nông thôn.",
    "ar": "مقال رائع، شكراً للكاتب. أعتقد أن الحكومة يجب أن تستثمر أكثر في التعليم في المناطق الريفية.",
    "hi": "बहुत अच्छा लेख, लेखक को धन्यवाद। मुझे लगता है कि सरकार को ग्रामीण शिक्षा में अधिक निवेश करना चाहिए।",
    "ja": "とても良い記事でした。政府は地方の教育にもっと投資するべきだと思います。",
    "zh": "文章写得很好，谢谢作者。我认为政府应该在农村教育上投入更多。",
    "ko": "좋은 기사 감사합니다. 정부가 농촌 교육에 더 많이 투자해야 한다고 생각합니다.",
    "el": "Πολύ καλό άρθρο, ευχαριστώ. Νομίζω ότι η κυβέρνηση πρέπει να επενδύσει περισσότερο στην εκπαίδευση.",
    "he": "מאמר מצוין, תודה לכותב. אני חושב שהממשלה צריכה להשקיע יותר בחינוך בפריפריה.",
    "de": "Sehr guter Artikel, danke. Ich finde, die Regierung sollte mehr in die Bildung auf dem Land investieren.",
    "fr": "Très bon article, merci. Je pense que le gouvernement devrait investir davantage dans l'éducation rurale.",
    "pl": "Bardzo dobry artykuł, dziękuję. Uważam, że rząd powinien więcej inwestować w edukację na wsi.",
    "tr": "Çok güzel bir yazı, teşekkürler. Bence hükümet kırsal eğitime daha fazla yatırım yapmalı.",
    "uk": "Дуже гарна стаття, дякую. Я думаю, уряд має більше інвестувати в освіту в селах.",
}  # fmt: skip


@pytest.mark.parametrize("lang", list(UNSEEN_LANGUAGES))
def test_shipped_model_accepts_ordinary_comments_in_languages_it_never_saw(lang: str) -> None:
    """A new site in another language must not start by holding its readers: unknown words
    are not evidence of spam."""
    fields = {"comment_content": UNSEEN_LANGUAGES[lang], "comment_author": "Reader",
              "blog_lang": lang, "user_agent": BROWSER}  # fmt: skip
    verdict = shipped_check(fields)
    assert verdict.action is Action.ACCEPT, verdict.as_dict()
    assert verdict.probability < 0.5, verdict.as_dict()


@pytest.mark.parametrize(
    "fields",
    [
        {"comment_content": "See https://en.wikipedia.org/wiki/Rust_(programming_language) and "
                            "https://github.com/rust-lang/rust for details.", "comment_author": "Tom"},
        {"comment_content": "Relevant: https://lwn.net/Articles/912345/ explains the scheduler change.",
         "comment_author": "Ken"},
        {"comment_content": "The paper is at https://www.cs.uni-example.edu/~ken/papers/sched.pdf "
                            "if anyone wants it.", "comment_author": "Ken"},
        {"comment_content": "Great article, thanks!", "comment_author": "Ada"},
        {"comment_content": "Thanks for writing this."},
    ],
)  # fmt: skip
def test_shipped_model_does_not_file_links_or_thanks_as_spam(fields: dict[str, str]) -> None:
    """Readers cite sources and say thank you; neither alone is spam (at most held)."""
    verdict = shipped_check(fields)
    assert verdict.action in (Action.ACCEPT, Action.HOLD), verdict.as_dict()


def test_a_reader_pointing_to_their_own_follow_up_is_never_discarded() -> None:
    """ "I wrote a follow-up on my blog" with the blog as web address is what self-promotion
    says too. The model of extractor 8 files it (p 0.975 without a user agent; held until
    then): a known weakness, documented. A moderator's "Not spam" must still be able to reach
    it, so it is never discarded unseen."""
    verdict = shipped_check({
        "comment_content": "Thanks for writing this. I wrote a follow-up on my blog.",
        "comment_author": "Maria", "comment_author_email": "maria@example.org",
        "comment_author_url": "https://maria.blog",
    })  # fmt: skip
    assert verdict.action is not Action.DISCARD, verdict.as_dict()


@pytest.mark.parametrize(
    "text",
    [
        "Buy cheap viagra online without prescription, best prices",
        "cialis levitra tramadol xanax no prescription overnight delivery",
        "Online casino bonus! Play roulette and slots, get 200% deposit bonus",
        "Need a payday loan fast? Bad credit OK, apply now",
        "Buy cheap pills at http://pills-shop.example and http://rx.example",
    ],
)
def test_shipped_engine_files_trades_it_never_saw_in_training_as_spam(text: str) -> None:
    """No labelled set sells drugs or casinos; the spam-topic signal covers them."""
    verdict = shipped_check(
        {"comment_content": text, "comment_author": "John", "user_agent": BROWSER}
    )
    assert verdict.action in (Action.SPAM, Action.DISCARD), verdict.as_dict()
    assert "SPAM_TOPIC_SALE" in verdict.symbols()


@pytest.mark.parametrize(
    "text",
    [
        "The FDA approved Viagra in 1998 and it changed the drug industry.",
        "My grandfather lost his house at the casino in Atlantic City, sad story.",
        "Payday loans should be capped by law; the article is right about the interest rates.",
    ],
)
def test_shipped_engine_accepts_news_that_mentions_a_spam_trade(text: str) -> None:
    verdict = shipped_check(
        {"comment_content": text, "comment_author": "Jane Doe", "user_agent": BROWSER}
    )
    assert verdict.action is Action.ACCEPT, verdict.as_dict()
