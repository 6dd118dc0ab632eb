"""The settings of the spam engine: thresholds, its model and its learning
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class SpamSettings(BaseModel):
    """Settings: the spam engine: thresholds, its model and its learning."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

    threshold_hold: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is held for a moderator.",
    )
    threshold_spam: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is filed as spam.",
    )
    threshold_discard: float = Field(
        0.999999,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is discarded (Akismet pro-tip: discard).",
    )
    signal_budget_ms: float = Field(
        50.0,
        gt=0,
        description="Time budget of one signal; one that overruns is reported as SIGNAL_ERROR.",
    )
    model_path: Path | None = Field(
        None, description="Content-model artifact to load instead of the shipped default."
    )
    link_limit: int = Field(
        3, ge=0, description="Links in one comment above which LINKS_MANY fires."
    )
    combiner_bias: float | None = Field(
        None,
        description="Override the model's learned prior log-odds (the combiner bias); empty keeps it.",
    )
    combiner_weights: str = Field(
        "",
        description="Override learned symbol weights, e.g. `CONTENT_MODEL=1.2,LINKS_MANY=0.5`; unknown symbols weigh 1.0.",
    )
    personal_min_learns: int = Field(
        50,
        ge=1,
        description="Spam and ham labels each a site must teach before its own content model votes.",
    )
    personal_max_sites: int = Field(
        200,
        ge=1,
        description="Per-site content models kept in memory (512 KB each); the least recently taught is dropped.",
    )
    model_snapshot_every: int = Field(
        50,
        ge=1,
        description="Learned labels between snapshots of the content model to <data_dir>/model/state.npz.",
    )
    form_min_seconds: float = Field(
        3.0,
        ge=0,
        description="A widget form sent sooner than this after it was shown gets FORM_TOO_FAST.",
    )
    language_check: bool = Field(
        True,
        description="Compare a comment's language with blog_lang (LANGUAGE_MISMATCH; loads about 40 MB of language models).",
    )
    velocity_window_seconds: float = Field(
        600.0,
        gt=0,
        description="Sliding window in which bursts from one network or of one text are counted.",
    )
    near_duplicate_days: int = Field(
        90,
        ge=1,
        description="Days a reported spam or ham stays in the near-duplicate (campaign) index; the purge then deletes it.",
    )
    learning_sync_seconds: float = Field(
        2.0,
        gt=0,
        description="How often a worker pulls reputation, campaign and site-rule changes made by other workers.",
    )
