"""What readers do besides writing: vote on comments and preview their Markdown.

Votes: one per reader and comment. The reader's browser keeps a signed voter token (a random id;
widget local storage, or an HttpOnly cookie without JavaScript); only a keyed hash of its random
part is stored with the vote — no IP address, no hash of one. New voter ids and votes are
counted per network prefix in memory (like posts), so clearing the browser does not buy many
votes. Previews render with the same function that renders a posted comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from rejoinder.comments import sanitize
from rejoinder.comments.ratelimit import RateLimiter
from rejoinder.comments.records import Client
from rejoinder.comments.service import CommentService
from rejoinder.core.records.comments import Status, Vote
from rejoinder.errors import Forbidden, NotFound, ValidationFailed
from rejoinder.storage import comments as store
from rejoinder.storage import policies as policy_store
from rejoinder.storage import threads as thread_store
from rejoinder.storage import votes as vote_store

NEW_VOTERS_SHARE = 6  # new voter ids per hour: a sixth of the votes allowed per minute


@dataclass(frozen=True, slots=True)
class Voted:
    comment_id: int
    value: Vote
    up: int
    down: int
    voter: str  # the voter token to keep (a new one when none, or no genuine one, was sent)

    @property
    def score(self) -> int:
        return self.up - self.down


class ReaderService:
    def __init__(self, comments: CommentService, per_minute: int):
        self.comments = comments
        self.actions = RateLimiter(per_minute, 60, what="votes or previews")
        voters = max(1, per_minute // NEW_VOTERS_SHARE) if per_minute > 0 else 0
        self.new_voters = RateLimiter(voters, 3600, what="new voters")

    def vote(self, comment_id: int, value: int, voter_token: str, client: Client) -> Voted:
        """One reader's vote (1, -1, or 0 to take it back) on a published comment."""
        try:
            vote = Vote(value)
        except ValueError:
            raise ValidationFailed("A vote is 1 (up), -1 (down) or 0 (take it back).") from None
        svc = self.comments
        prefix = svc.hasher.ip_prefix(client.ip)
        self.actions.hit(prefix)
        voter = svc.signer.voter_of(voter_token) if voter_token else None
        token = voter_token.strip()
        if voter is None:
            self.new_voters.hit(prefix)
            token = svc.signer.voter_token()
            voter = svc.signer.voter_of(token)
            assert voter is not None
        with svc.db.begin() as conn:
            found = store.comment_by_id(conn, comment_id)
            if found is None or found.comment.status is not Status.PUBLISHED:
                raise NotFound("No such published comment.")
            thread = thread_store.thread_by_id(conn, found.comment.thread_id)
            assert thread is not None
            policy = policy_store.policy_for(conn, thread.site_id)
            if policy is not None and not policy.voting:
                raise Forbidden("Voting is turned off on this site.")
            voter_hash = svc.hasher.digest("voter", f"{thread.site_id}\x00{voter}")
            up, down = vote_store.cast_vote(conn, comment_id, voter_hash, vote, svc.clock())
        return Voted(comment_id, vote, up, down, token)

    def preview(self, text: str, client: Client) -> str:
        """The HTML a comment with this Markdown would be published as."""
        self.actions.hit(self.comments.hasher.ip_prefix(client.ip))
        cleaned = sanitize.clean_text(text, self.comments.config.max_length)
        return sanitize.render_markdown(cleaned)
