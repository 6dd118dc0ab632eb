"""Learning from submit-spam/submit-ham survives a restart (snapshot and replay)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.core.records.verdict import Label
from rejoinder.services import build_services
from rejoinder.settings import load_settings
from rejoinder.spam.labels import FeedbackSource, Labelled
from rejoinder.spam.submission import Submission
from tests.support.database import migrate

BLOG = "https://blog.example.com"
OTHER_BLOG = "https://other.example.org"
CAMPAIGN = "Discover the zorblax miracle supplement at zorblax-deal number {n}"
PROBE = Submission(site=BLOG, content="Discover the zorblax miracle supplement today")


def start(data_dir: Path, snapshot_every: int) -> tuple[TestClient, object, str]:
    settings = load_settings(
        {
            "REJOINDER_DATA_DIR": str(data_dir),
            "REJOINDER_MODEL_SNAPSHOT_EVERY": str(snapshot_every),
        }
    )
    services = build_services(settings)
    migrate(services.db)
    if not services.sites.list_sites():
        services.sites.add_site(BLOG)
    key = services.sites.create_key([BLOG])
    services.engine.warm_up()  # as a worker does at start: snapshot + feedback replay
    return TestClient(create_app(settings, services)), services, key


@pytest.mark.parametrize("snapshot_every", [1, 3, 1000])
def test_learned_labels_survive_a_restart(tmp_path: Path, snapshot_every: int) -> None:
    client, services, key = start(tmp_path, snapshot_every)
    model = services.engine.bundle.content  # type: ignore[attr-defined]
    before = model.score(PROBE).logit
    for n in range(8):
        fields = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.9", "comment_content": CAMPAIGN.format(n=n),
                  "comment_author": "zorblax"}  # fmt: skip
        assert client.post("/1.1/submit-spam", data=fields).status_code == 200
    # the same content again is recorded once and learned once
    client.post("/1.1/submit-spam", data={"api_key": key, "blog": BLOG,
                                          "user_ip": "203.0.113.9", "comment_content": CAMPAIGN.format(n=0)})  # fmt: skip
    learned = model.score(PROBE).logit
    assert learned > before + 1.0
    assert model.learned == 8
    services.db.dispose()  # type: ignore[attr-defined]

    _client2, services2, _ = start(tmp_path, snapshot_every)
    model2 = services2.engine.bundle.content  # type: ignore[attr-defined]
    assert model2.score(PROBE).logit == pytest.approx(learned, abs=1e-4)
    assert services2.engine.content_state.last_id == 8  # type: ignore[attr-defined]
    services2.db.dispose()  # type: ignore[attr-defined]


def test_is_test_never_trains(tmp_path: Path) -> None:
    client, services, key = start(tmp_path, 1)
    model = services.engine.bundle.content  # type: ignore[attr-defined]
    fields = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "203.0.113.9",
        "comment_content": CAMPAIGN.format(n=1),
        "is_test": "1",
    }
    assert client.post("/1.1/submit-spam", data=fields).status_code == 200
    assert model.learned == 0
    assert not (tmp_path / "model" / "state.npz").exists()
    services.db.dispose()  # type: ignore[attr-defined]


def test_snapshot_from_another_model_is_ignored_and_feedback_replayed(tmp_path: Path) -> None:
    client, services, key = start(tmp_path, 1)
    for n in range(3):
        client.post("/1.1/submit-spam", data={"api_key": key, "blog": BLOG,
                                              "user_ip": "203.0.113.9", "comment_content": CAMPAIGN.format(n=n)})  # fmt: skip
    expected = services.engine.bundle.content.score(PROBE).logit  # type: ignore[attr-defined]
    services.db.dispose()  # type: ignore[attr-defined]
    state = tmp_path / "model" / "state.npz"
    state.write_bytes(b"garbage")  # a damaged snapshot must not stop the server
    _, services2, _ = start(tmp_path, 1)
    model2 = services2.engine.bundle.content  # type: ignore[attr-defined]
    assert model2.learned == 3  # replayed from the feedback table
    assert model2.score(PROBE).logit == pytest.approx(expected, abs=1e-4)
    services2.db.dispose()  # type: ignore[attr-defined]


def test_labels_other_workers_recorded_are_learned_first_in_id_order(tmp_path: Path) -> None:
    """A worker's own label reaches its model directly; the rows another worker recorded
    before it are read from the log first, so every worker learns the same rows in one order."""
    client, services, key = start(tmp_path, 1000)
    _c, other, _k = start(tmp_path, 1000)  # a second worker: its own model, the same database
    try:
        spam = Submission(site=BLOG, content=CAMPAIGN.format(n=1))
        assert other.labels.teach(Labelled(spam, Label.SPAM), FeedbackSource.AKISMET)  # type: ignore[attr-defined]
        model = services.engine.bundle.content  # type: ignore[attr-defined]
        assert model.learned == 0  # not yet pulled from the log
        fields = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.9",
                  "comment_content": CAMPAIGN.format(n=2)}  # fmt: skip
        assert client.post("/1.1/submit-spam", data=fields).status_code == 200
        assert model.learned == 2
        assert services.engine.content_state.last_id == 2  # type: ignore[attr-defined]
    finally:
        other.db.dispose()  # type: ignore[attr-defined]
        services.db.dispose()  # type: ignore[attr-defined]


def test_the_same_content_on_two_sites_teaches_the_content_model_once(tmp_path: Path) -> None:
    """Each site records its label, the reputation learns it once, and the content model learns
    the first row only: live as after a restart that replays the log."""
    client, services, key = start(tmp_path, 1000)
    services.sites.add_site(OTHER_BLOG)  # type: ignore[attr-defined]
    other_key = services.sites.create_key([OTHER_BLOG])  # type: ignore[attr-defined]
    for blog, api_key in ((BLOG, key), (OTHER_BLOG, other_key)):
        fields = {"api_key": api_key, "blog": blog, "user_ip": "203.0.113.9",
                  "comment_content": CAMPAIGN.format(n=7)}  # fmt: skip
        assert client.post("/1.1/submit-spam", data=fields).status_code == 200
    model = services.engine.bundle.content  # type: ignore[attr-defined]
    assert model.learned == 1
    live = model.score(PROBE).logit
    services.db.dispose()  # type: ignore[attr-defined]

    _client, again, _ = start(tmp_path, 1000)
    replayed = again.engine.bundle.content  # type: ignore[attr-defined]
    assert replayed.learned == 1
    assert replayed.score(PROBE).logit == pytest.approx(live, abs=1e-4)
    again.db.dispose()  # type: ignore[attr-defined]
