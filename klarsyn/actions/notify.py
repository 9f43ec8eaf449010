"""Delivering outbox messages: Slack and Teams webhooks, signed JSON webhooks, SMTP e-mail.

Signed webhooks carry three headers; a receiver recomputes the signature with the channel's
secret and compares in constant time::

    X-Klarsyn-Event:      rule:3/feedback:812/ops-webhook   (unique per event and channel)
    X-Klarsyn-Timestamp:  1767225600                         (Unix seconds of this attempt)
    X-Klarsyn-Signature:  sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

The event id is the same on every retry, so a receiver can drop a delivery it already has.

E-mails have a plain-text part and an HTML part; every value from feedback is HTML-escaped in the
latter, since a comment is untrusted text.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx

from klarsyn.actions.outbox import DeliveryFailed, Message
from klarsyn.actions.rules import Channel, ChannelKind, list_channels
from klarsyn.config import Settings
from klarsyn.storage.store import Store

HTTP_TIMEOUT = 5.0
SMTP_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str = "klarsyn@localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings | None:
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            sender=settings.smtp_sender,
        )


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def summary(payload: dict[str, Any]) -> str:
    """One line that says what happened, for chat messages and subjects."""
    return f"{payload['rule']['name']}: {payload['reason']}"


def _facts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    item = payload.get("feedback") or {}
    case = payload.get("case") or {}
    facts = [
        ("Customer", item.get("customer_id")),
        ("Channel", item.get("channel")),
        ("Received", item.get("received_at")),
        ("Case", f"#{case['id']} ({case.get('team') or 'no team'}, {case['priority']})")
        if case
        else None,
        ("Due", case.get("sla_due_at")),
    ]
    return [(str(fact[0]), str(fact[1])) for fact in facts if fact and fact[1]]


def _chat_escape(text: str) -> str:
    # Slack and Teams read &, < and > as markup; escaped, a comment cannot ping or link.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(payload: dict[str, Any]) -> dict[str, Any]:
    comment = _chat_escape((payload.get("feedback") or {}).get("text") or "")
    lines = [f"*{_chat_escape(summary(payload))}*"]
    lines += [f"{name}: {_chat_escape(value)}" for name, value in _facts(payload)]
    if comment:
        lines.append("> " + comment.replace("\n", "\n> "))
    return {
        "text": _chat_escape(summary(payload)),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
    }


def teams_body(payload: dict[str, Any]) -> dict[str, Any]:
    comment = (payload.get("feedback") or {}).get("text") or ""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": _chat_escape(summary(payload)),
        "title": _chat_escape(summary(payload)),
        "text": _chat_escape(comment),
        "sections": [
            {"facts": [{"name": n, "value": _chat_escape(v)} for n, v in _facts(payload)]}
        ],
    }


def email_message(payload: dict[str, Any], *, sender: str, to: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[Klarsyn] {summary(payload)}"[:200]
    message["From"] = sender
    message["To"] = ", ".join(to)
    comment = (payload.get("feedback") or {}).get("text") or ""
    facts = _facts(payload)
    plain = [summary(payload), ""] + [f"{name}: {value}" for name, value in facts]
    if comment:
        plain += ["", "Comment:", comment]
    message.set_content("\n".join(plain))
    rows = "".join(
        f"<tr><th align='left'>{html.escape(n)}</th><td>{html.escape(v)}</td></tr>"
        for n, v in facts
    )
    quote = f"<blockquote>{html.escape(comment)}</blockquote>" if comment else ""
    message.add_alternative(
        f"<html><body><h2>{html.escape(summary(payload))}</h2>"
        f"<table>{rows}</table>{quote}</body></html>",
        subtype="html",
    )
    return message


class Notifier:
    """Sends one outbox message through the channel it names (see :func:`outbox.dispatch`)."""

    def __init__(
        self,
        store: Store,
        *,
        smtp: SmtpSettings | None,
        http: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.channels = {channel.name: channel for channel in list_channels(store)}
        self.smtp = smtp
        self.http = http or httpx.Client(timeout=HTTP_TIMEOUT)
        self.clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, message: Message) -> None:
        channel = self.channels.get(message.channel)
        if channel is None:
            raise DeliveryFailed(f"channel {message.channel!r} no longer exists")
        if channel.kind == ChannelKind.email:
            self._email(channel, message)
        elif channel.kind == ChannelKind.slack:
            self._post(channel, message, json.dumps(slack_body(message.payload)).encode())
        elif channel.kind == ChannelKind.teams:
            self._post(channel, message, json.dumps(teams_body(message.payload)).encode())
        else:
            body = json.dumps({"event": message.key, **message.payload}).encode()
            self._post(channel, message, body, signed=True)

    def _post(self, channel: Channel, message: Message, body: bytes, signed: bool = False) -> None:
        headers = {"Content-Type": "application/json", "X-Klarsyn-Event": message.key}
        if signed:
            timestamp = str(int(self.clock().timestamp()))
            headers["X-Klarsyn-Timestamp"] = timestamp
            if channel.secret:
                headers["X-Klarsyn-Signature"] = signature(channel.secret, timestamp, body)
        try:
            response = self.http.post(channel.target, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # A malformed target fails like an unreachable one: retried, then given up, with the
            # reason on the outbox row, never an error that stops the run.
            raise DeliveryFailed(f"{channel.name}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryFailed(f"{channel.name}: the receiver answered {response.status_code}")

    def _email(self, channel: Channel, message: Message) -> None:
        if self.smtp is None:
            raise DeliveryFailed("e-mail is not configured: set KLARSYN_SMTP_HOST")
        to = [part.strip() for part in channel.target.split(",") if part.strip()]
        email = email_message(message.payload, sender=self.smtp.sender, to=to)
        email["X-Klarsyn-Event"] = message.key
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=SMTP_TIMEOUT) as smtp:
                if self.smtp.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.smtp.user:
                    smtp.login(self.smtp.user, self.smtp.password or "")
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{channel.name}: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self.http.close()
