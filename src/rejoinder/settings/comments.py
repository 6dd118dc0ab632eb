"""The settings of the widget's comments and their moderation
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CommentSettings(BaseModel):
    """Settings: the widget's comments and their moderation."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

    comment_max_length: int = Field(
        10_000,
        ge=100,
        le=1_000_000,
        description="Longest comment (characters); longer ones are refused with 422, never truncated.",
    )
    comment_edit_window_s: int = Field(
        900, ge=0, description="Seconds a commenter may edit or delete their own comment."
    )
    comment_max_depth: int = Field(
        5, ge=1, le=50, description="Reply nesting shown; deeper replies are shown at this depth."
    )
    comment_page_size: int = Field(
        100,
        ge=1,
        le=500,
        description="Top-level comments per page of a thread (with their replies).",
    )
    comment_rate_limit: int = Field(
        10,
        ge=0,
        description="Comments one network prefix (/24, /48) may post per window; 0 turns the limit off.",
    )
    comment_rate_window_s: int = Field(
        60, ge=1, description="The window of comment_rate_limit, in seconds."
    )
    reader_rate_limit: int = Field(
        120,
        ge=0,
        description="Votes and Markdown previews one network prefix may make per minute (and a sixth as many new voter ids per hour); 0 turns the limits off.",
    )
    commenter_token_days: int = Field(
        365,
        ge=1,
        le=3650,
        description="How long a commenter's browser is recognised as returning (signed commenter token) under 'hold first-time commenters'.",
    )
    demo: bool = Field(
        False, description="Serve the demo article at /demo/ (set by `rejoinder serve --demo`)."
    )

    # --- moderation ----------------------------------------------------------------------
    admin_session_hours: int = Field(
        12, ge=1, le=24 * 30, description="How long a moderator stays signed in at /admin/."
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Failed sign-ins per account per login_window_minutes before sign-in is refused (429).",
    )
    login_max_failures_network: int = Field(
        20,
        ge=1,
        description="Failed sign-ins per network prefix (/24, /48) per login_window_minutes before refusal.",
    )
    login_window_minutes: int = Field(
        15, ge=1, description="The window of the sign-in failure limits, in minutes."
    )
    moderation_page_size: int = Field(
        50, ge=5, le=500, description="Comments per page of a moderation queue."
    )
    moderation_bulk_max: int = Field(
        1000,
        ge=1,
        le=10_000,
        description="Most comments one bulk decision may cover; more get a 422 (or 400 from the form parser).",
    )
