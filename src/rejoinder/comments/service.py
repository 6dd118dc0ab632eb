"""The comment service: every path a comment takes (widget, API, no-JS form) goes through here.

One class, one concept per module: posting (``posting.py``: validate, check, store once),
editing and deleting one's own comment (``editing.py``), reading threads (``reading.py``), the
site's policy and origins (``policy.py``), on what they share (``base.py``); the values in and
out are in ``records.py``, the group-commit writes in ``writes.py``.
"""

from __future__ import annotations

from rejoinder.comments.editing import Editing
from rejoinder.comments.policy import SitePolicies
from rejoinder.comments.posting import Posting
from rejoinder.comments.reading import Reading


class CommentService(Posting, Editing, Reading, SitePolicies):
    """Submit, edit, delete and list comments; built once in ``services.py``."""
