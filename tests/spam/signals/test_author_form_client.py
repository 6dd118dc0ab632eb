from __future__ import annotations

from rejoinder.spam.signals.author import AuthorEmailSignal
from rejoinder.spam.signals.client import ClientSignal
from rejoinder.spam.signals.form import FormTimingSignal, HoneypotSignal
from rejoinder.spam.submission import Submission

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def email(value: str) -> list[str]:
    return [h.symbol for h in AuthorEmailSignal().evaluate(Submission(email=value))]


def test_email_shapes() -> None:
    assert email("ann@example.org") == []
    assert email("") == []
    assert email("no-at-sign") == ["EMAIL_MALFORMED"]
    assert email("a..b@example.org") == ["EMAIL_MALFORMED"]
    assert email("ann@localhost") == ["EMAIL_NO_MX_SHAPE"]
    assert email("ann@mail.invalid") == ["EMAIL_NO_MX_SHAPE"]
    assert email("ann@[192.0.2.1]") == ["EMAIL_NO_MX_SHAPE"]
    assert email("ann@bad_label.com") == ["EMAIL_NO_MX_SHAPE"]


def test_disposable_domains_come_from_the_maintained_package() -> None:
    assert email("x@mailinator.com") == ["EMAIL_DISPOSABLE"]
    assert email("x@sub.guerrillamail.com") == ["EMAIL_DISPOSABLE"]


def test_honeypot_widget_contract_and_wordpress_field() -> None:
    hp = HoneypotSignal()
    filled = Submission(extra={"honeypot_field_name": "website2", "website2": "http://x"})
    empty = Submission(extra={"honeypot_field_name": "website2", "website2": " "})
    wordpress = Submission(extra={"POST_ak_hp_textarea": "bot text"})
    assert [h.symbol for h in hp.evaluate(filled)] == ["HONEYPOT_FILLED"]
    assert hp.evaluate(empty) == []
    assert [h.symbol for h in hp.evaluate(wordpress)] == ["HONEYPOT_FILLED"]


def test_form_timing() -> None:
    timing = FormTimingSignal(min_seconds=3.0)
    fast = timing.evaluate(Submission(extra={"form_age_seconds": "0.4"}))
    quickish = timing.evaluate(Submission(extra={"form_age_seconds": "2.5"}))
    assert [h.symbol for h in fast] == ["FORM_TOO_FAST"] and fast[0].score > quickish[0].score
    assert timing.evaluate(Submission(extra={"form_age_seconds": "45"})) == []
    assert timing.evaluate(Submission()) == []  # unknown: no evidence either way


def test_client() -> None:
    client = ClientSignal()

    def run(ua: str, ref: str) -> list[str]:
        return [h.symbol for h in client.evaluate(Submission(user_agent=ua, referrer=ref))]

    assert run(FIREFOX, "https://blog.example/post") == []
    assert run("", "") == ["UA_MISSING", "REFERRER_MISSING"]
    assert run("python-requests/2.31", "https://blog.example/") == ["UA_SCRIPTED"]
    assert run(FIREFOX, "http://www.semalt.com/") == ["REFERRER_SPAM_DOMAIN"]
