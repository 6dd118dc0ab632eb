"""Client: the user agent and referrer of the commenter's browser, as the caller reports them."""

from __future__ import annotations

from rejoinder.core.anonymize import referrer_host, ua_family
from rejoinder.core.records.verdict import Hit
from rejoinder.spam.domains import is_referrer_spammer
from rejoinder.spam.submission import Submission


class ClientSignal:
    name = "client"

    def evaluate(self, submission: Submission) -> list[Hit]:
        hits: list[Hit] = []
        family = ua_family(submission.user_agent)
        if not family:
            hits.append(Hit("UA_MISSING", 0.6, "No browser user agent was sent with the comment."))
        elif family == "script":
            hits.append(
                Hit(
                    "UA_SCRIPTED",
                    1.5,
                    "The user agent is a script or a crawler (curl, python, bot…), not a browser.",
                )
            )
        host = referrer_host(submission.referrer)
        if not submission.referrer.strip() and not submission.is_recheck:
            # A recheck reads the comment back from the site's database: no referrer to send.
            hits.append(
                Hit("REFERRER_MISSING", 0.3, "No referring page was sent with the comment.")
            )
        elif host and is_referrer_spammer(host):
            hits.append(
                Hit(
                    "REFERRER_SPAM_DOMAIN",
                    2.0,
                    f"The referring page is on the public referrer-spam list ({host}).",
                )
            )
        return hits
