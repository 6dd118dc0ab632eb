"""The URL table, on one screen."""

from __future__ import annotations

from fastapi import FastAPI

from rejoinder.web.akismet import AkismetEndpoints
from rejoinder.web.api import VerdictEndpoints
from rejoinder.web.health import healthz
from rejoinder.web.metrics import metrics_endpoint

GET, POST = "GET", "POST"


def add_routes(app: FastAPI, akismet: AkismetEndpoints, verdicts: VerdictEndpoints) -> None:
    plain = [
        # Akismet API (docs/akismet.md)
        ("/1.1/verify-key", akismet.verify_key, [POST, GET]),
        ("/1.1/comment-check", akismet.comment_check, [POST]),
        ("/1.1/submit-spam", akismet.submit_spam, [POST]),
        ("/1.1/submit-ham", akismet.submit_ham, [POST]),
        ("/1.2/usage-limit", akismet.usage_limit, [GET, POST]),
        ("/1.2/key-sites", akismet.key_sites, [GET, POST]),
        ("/1.1/test", akismet.test, [GET, POST]),
        ("/1.1/get-subscription", akismet.get_subscription, [POST, GET]),
        ("/1.1/get-stats", akismet.get_stats, [POST, GET]),
        ("/1.1/deactivate", akismet.deactivate, [POST]),
        # JSON API (docs/spam-engine.md)
        ("/api/v1/verdicts/{guid}", verdicts.verdict, [GET]),
        # operations
        ("/healthz", healthz, [GET]),
        ("/metrics", metrics_endpoint, [GET]),
    ]
    for path, endpoint, methods in plain:
        app.add_route(path, endpoint, methods=methods, include_in_schema=False)
