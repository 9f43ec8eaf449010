"""Message formats and delivery failures, with httpx's MockTransport as the receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest

from klarsyn.actions.notify import (
    Notifier,
    SmtpSettings,
    email_message,
    signature,
    teams_body,
)
from klarsyn.actions.outbox import DeliveryFailed, Message
from klarsyn.actions.rules import add_channel
from klarsyn.storage.store import Store
from tests.actions.conftest import SMTP_PASSWORD, SMTP_USER, Mailbox

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script> & <a href="javascript:x">'
PAYLOAD = {
    "event_key": "feedback:7",
    "rule": {"id": 1, "name": "Detractors", "kind": "detractor_comment"},
    "reason": "NPS 2 with a comment",
    "feedback": {"id": 7, "customer_id": "c<1>", "channel": "web", "text": HOSTILE},
    "case": {"id": 3, "team": "service", "priority": "high"},
}


def test_teams_cards_escape_the_comment() -> None:
    card = teams_body(PAYLOAD)
    assert card["@type"] == "MessageCard" and card["summary"].startswith("Detractors")
    assert (
        card["text"] == '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href="javascript:x"&gt;'
    )
    facts = {fact["name"]: fact["value"] for fact in card["sections"][0]["facts"]}
    assert facts["Customer"] == "c&lt;1&gt;" and facts["Case"] == "#3 (service, high)"


def test_e_mails_about_a_theme_have_no_comment_and_escape_everything() -> None:
    theme = PAYLOAD | {"feedback": None, "case": None, "reason": "theme <b>delivery</b> at 30%"}
    mail = email_message(theme, sender="k@x.se", to=["a@x.se", "b@x.se"])
    assert mail["To"] == "a@x.se, b@x.se"
    html = mail.get_body(("html",))
    assert html is not None and "&lt;b&gt;delivery&lt;/b&gt;" in html.get_content()
    assert "blockquote" not in html.get_content()


def test_the_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    body = json.dumps(PAYLOAD).encode()
    expected = hmac.new(b"k", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert signature("k", "1767225600", body) == f"sha256={expected}"


@pytest.mark.parametrize(
    ("target", "answer", "error"),
    [
        ("http://receiver.test/hook", 410, "answered 410"),
        ("http://receiver.test/hook", None, "ConnectError"),
        ("http://[::1/hook", 200, "InvalidURL"),
    ],
)
def test_delivery_failures_are_reported_not_raised_as_crashes(
    store: Store, target: str, answer: int | None, error: str
) -> None:
    add_channel(store, name="hook", kind="webhook", target=target, secret="k", now=NOW)

    def receive(request: httpx.Request) -> httpx.Response:
        if answer is None:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(answer)

    http = httpx.Client(transport=httpx.MockTransport(receive))
    notifier = Notifier(store, smtp=None, http=http, clock=lambda: NOW)
    with pytest.raises(DeliveryFailed, match=error):
        notifier(
            Message(id=1, channel="hook", key="rule:1/feedback:7/hook", payload=PAYLOAD, attempts=0)
        )
    with pytest.raises(DeliveryFailed, match="no longer exists"):
        notifier(Message(id=2, channel="gone", key="k", payload=PAYLOAD, attempts=0))
    add_channel(store, name="mail", kind="email", target="a@x.se", now=NOW)
    with pytest.raises(DeliveryFailed, match="KLARSYN_SMTP_HOST"):
        Notifier(store, smtp=None, http=http)(
            Message(id=3, channel="mail", key="k", payload=PAYLOAD, attempts=0)
        )


def test_starttls_is_required_when_configured(store: Store, mailbox: Mailbox) -> None:
    add_channel(store, name="mail", kind="email", target="a@x.se", now=NOW)
    message = Message(id=1, channel="mail", key="k", payload=PAYLOAD, attempts=0)
    tls = SmtpSettings(host="127.0.0.1", port=mailbox.port, starttls=True)
    # This server offers no STARTTLS: the message is not sent in clear text.
    with pytest.raises(DeliveryFailed, match="STARTTLS"):
        Notifier(store, smtp=tls)(message)
    assert mailbox.messages == []
    right = SmtpSettings(
        host="127.0.0.1", port=mailbox.port, starttls=False, user=SMTP_USER, password=SMTP_PASSWORD
    )
    Notifier(store, smtp=right)(message)
    assert len(mailbox.messages) == 1
