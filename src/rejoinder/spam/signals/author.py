"""Author and e-mail: malformed addresses, disposable domains, domains that cannot take mail."""

from __future__ import annotations

import re

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.domains import RESERVED_TLDS, is_disposable_email_domain, is_ip_host, tld
from rejoinder.spam.submission import Submission

_LOCAL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def email_problem(email: str) -> str | None:
    """Why an address is malformed, or None when its shape is fine."""
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        return "has no '@' with text on both sides"
    if len(email) > 254 or not _LOCAL_RE.match(local) or ".." in local:
        return "has characters or a length an address cannot have"
    if local.startswith(".") or local.endswith("."):
        return "starts or ends its name with a dot"
    return None


def domain_problem(domain: str) -> str | None:
    """Why a mail domain cannot receive mail (by its shape alone; no DNS lookup), or None."""
    domain = domain.rstrip(".")
    if domain.startswith("[") or is_ip_host(domain):
        return "is an IP address, not a mail domain"
    labels = domain.split(".")
    if len(labels) < 2:
        return "has no dot, so no mail server can be found for it"
    if not all(_LABEL_RE.match(label) for label in labels):
        return "has a part no domain name can have"
    ending = tld(domain)
    if ending in RESERVED_TLDS:
        return f"ends in .{ending}, which is reserved and never receives mail"
    if ending.isdigit() or len(ending) < 2:
        return "has no real top-level domain"
    return None


class AuthorEmailSignal:
    """The shape of the e-mail address the commenter typed."""

    name = "author_email"

    def evaluate(self, submission: Submission) -> list[Hit]:
        email = submission.email.strip().lower()[:320]
        if not email:
            return []
        problem = email_problem(email)
        if problem:
            return [Hit("EMAIL_MALFORMED", 1.0, f"The e-mail address {problem}.")]
        domain = email.rpartition("@")[2].rstrip(".")
        problem = domain_problem(domain)
        if problem:
            return [Hit("EMAIL_NO_MX_SHAPE", 1.0, f"The e-mail domain {problem}.")]
        if is_disposable_email_domain(domain):
            return [
                Hit(
                    "EMAIL_DISPOSABLE",
                    1.5,
                    f"The e-mail domain {domain} hands out throw-away addresses.",
                )
            ]
        return []
