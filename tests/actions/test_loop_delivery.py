"""Importing feedback that matches a rule: one case, one message per channel, received for real."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from klarsyn.actions.alerts import run_alerts, send_due
from klarsyn.actions.cases import list_cases
from klarsyn.actions.outbox import backoff, recent
from klarsyn.actions.rules import add_channel, add_rule
from klarsyn.cli.main import app
from klarsyn.config import Settings
from klarsyn.storage.loop_tables import alert_hits, cases, outbox
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from tests.actions.conftest import SMTP_PASSWORD, SMTP_USER, Mailbox, Receiver

runner = CliRunner()
SECRET = "webhook-secret-0123456789"
PAYLOAD = (
    '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a>'
)
FEEDBACK = (
    "id,received_at,channel,nps,text,customer_id,region\n"
    f'd1,2026-05-01 10:00,web,2,"Leveransen var sen. {PAYLOAD.replace(chr(34), chr(34) * 2)}",'
    "C-1,DK\n"
    "p1,2026-05-01 11:00,web,10,Toppen!,C-2,DK\n"
    "d2,2026-05-01 12:00,web,1,,C-3,DK\n"
)


def write(tmp_path: Path, text: str = FEEDBACK, name: str = "feedback.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def configure(
    monkeypatch: pytest.MonkeyPatch, database_url: str, mailbox: Mailbox, receiver: Receiver
) -> Settings:
    monkeypatch.setenv("KLARSYN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KLARSYN_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("KLARSYN_SMTP_STARTTLS", "false")
    monkeypatch.setenv("KLARSYN_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("KLARSYN_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("KLARSYN_SMTP_SENDER", "klarsyn@example.test")
    now = datetime.now(UTC)
    with Store.open(database_url) as store:
        add_channel(store, name="ops-mail", kind="email", target="ops@example.test", now=now)
        add_channel(
            store,
            name="ops-hook",
            kind="webhook",
            target=f"{receiver.url}/hook",
            secret=SECRET,
            now=now,
        )
        add_channel(store, name="ops-slack", kind="slack", target=f"{receiver.url}/slack", now=now)
        add_rule(
            store,
            name="Detractor with a comment",
            kind="detractor_comment",
            route_team="service",
            channels=["ops-mail", "ops-hook", "ops-slack"],
            priority="high",
            now=now,
        )
    return Settings(database_url=database_url)


def import_feedback(database_url: str, path: Path) -> str:
    result = runner.invoke(app, ["--db", database_url, "import", "feedback", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def count(store: Store, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_matching_detractor_comment_makes_one_case_and_one_message_per_channel(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mailbox: Mailbox,
    receiver: Receiver,
) -> None:
    configure(monkeypatch, database_url, mailbox, receiver)
    output = import_feedback(database_url, write(tmp_path))
    assert "1 alerts, 1 cases opened, 3 notifications queued" in output

    with Store.open(database_url) as store:
        [case] = list_cases(store, user=None)
        assert (case.customer_id, case.team, case.priority) == ("C-1", "service", "high")
        assert [row.status for row in recent(store)] == ["sent"] * 3

    [mail] = mailbox.messages
    assert mailbox.logins == [SMTP_USER]
    assert mail["To"] == "ops@example.test"
    assert mail["From"] == "klarsyn@example.test"
    assert "Detractor with a comment" in mail["Subject"]
    plain = mail.get_body(("plain",))
    html_part = mail.get_body(("html",))
    assert plain is not None and html_part is not None
    assert PAYLOAD in plain.get_content()
    html = html_part.get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert f"#{case.id}" in plain.get_content()

    [hook] = receiver.on("/hook")
    expected = hmac.new(
        SECRET.encode(),
        hook.headers["x-klarsyn-timestamp"].encode() + b"." + hook.body,
        hashlib.sha256,
    ).hexdigest()
    assert hmac.compare_digest(hook.headers["x-klarsyn-signature"], f"sha256={expected}")
    body = json.loads(hook.body)
    assert body["event"] == hook.headers["x-klarsyn-event"]
    assert body["case"]["id"] == case.id
    assert body["feedback"]["customer_id"] == "C-1"
    assert body["feedback"]["scores"] == {"nps": 2}
    assert PAYLOAD in body["feedback"]["text"]

    [slack] = receiver.on("/slack")
    chat = json.loads(slack.body)
    assert "Detractor with a comment" in chat["text"]
    assert "&lt;script&gt;" in chat["blocks"][0]["text"]["text"]
    assert "<script>" not in json.dumps(chat)


def test_nothing_is_sent_twice_after_reimports_reruns_and_restarts(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mailbox: Mailbox,
    receiver: Receiver,
) -> None:
    settings = configure(monkeypatch, database_url, mailbox, receiver)
    path = write(tmp_path)
    import_feedback(database_url, path)
    import_feedback(database_url, path)
    for _ in range(2):  # each a fresh Store over the same database: a restarted process
        with Store.open(database_url) as store:
            again = run_alerts(store, settings=Settings(), now=datetime.now(UTC))
            assert (again.evaluation.hits, again.dispatch.sent) == (0, 0)
    with Store.open(database_url) as store:
        # Forget the rule's progress mark, as if a crash lost it: the hits' keys still hold.
        store_rules_checked_from_zero(store)
        again = run_alerts(store, settings=settings, now=datetime.now(UTC))
        assert (again.evaluation.checked, again.evaluation.hits) == (3, 0)
        assert (count(store, cases), count(store, alert_hits), count(store, outbox)) == (1, 1, 3)
    assert len(mailbox.messages) == 1
    assert len(receiver.on("/hook")) == len(receiver.on("/slack")) == 1


def store_rules_checked_from_zero(store: Store) -> None:
    from sqlalchemy import update

    from klarsyn.storage.loop_tables import alert_rules

    with store.begin() as connection:
        connection.execute(update(alert_rules).values(checked_through=0))


def test_a_failing_receiver_does_not_block_the_import_and_is_retried_with_backoff(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mailbox: Mailbox,
    receiver: Receiver,
) -> None:
    settings = configure(monkeypatch, database_url, mailbox, receiver)
    receiver.statuses = {"/hook": [500, 503]}
    started = datetime.now(UTC)
    output = import_feedback(database_url, write(tmp_path))
    assert "1 to retry" in output

    with Store.open(database_url) as store:
        assert count(store, feedback) == 3  # the import itself went through
        hook = next(row for row in recent(store) if row.channel == "ops-hook")
        assert (hook.status, hook.attempts) == ("pending", 1)
        assert "500" in (hook.last_error or "")
        assert hook.next_attempt_at >= started + backoff(1)

        # Not due yet: nothing is attempted before the backoff has passed.
        early = send_due(store, settings=settings, now=hook.next_attempt_at - timedelta(seconds=1))
        assert (early.sent, early.retrying) == (0, 0)
        second = send_due(store, settings=settings, now=hook.next_attempt_at)
        assert (second.sent, second.retrying) == (0, 1)
        hook2 = next(row for row in recent(store) if row.channel == "ops-hook")
        assert hook2.next_attempt_at == hook.next_attempt_at + backoff(2)
        assert backoff(2) == 2 * backoff(1)

        third = send_due(store, settings=settings, now=hook2.next_attempt_at)
        assert (third.sent, third.retrying) == (1, 0)
        done = next(row for row in recent(store) if row.channel == "ops-hook")
        assert (done.status, done.attempts) == ("sent", 3)
        later = send_due(store, settings=settings, now=hook2.next_attempt_at + timedelta(days=1))
        assert later.sent == 0

    tries = receiver.on("/hook")
    assert len(tries) == 3
    assert len({t.headers["x-klarsyn-event"] for t in tries}) == 1
    assert len(mailbox.messages) == 1 and len(receiver.on("/slack")) == 1


def test_an_unreachable_receiver_does_not_block_the_import(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.actions.conftest import free_port

    now = datetime.now(UTC)
    with Store.open(database_url) as store:
        add_channel(
            store, name="dead", kind="webhook", target=f"http://127.0.0.1:{free_port()}/", now=now
        )
        add_rule(store, name="All detractors", kind="detractor_comment", channels=["dead"], now=now)
    monkeypatch.delenv("KLARSYN_SMTP_HOST", raising=False)
    output = import_feedback(database_url, write(tmp_path))
    assert "1 to retry" in output
    with Store.open(database_url) as store:
        [row] = recent(store)
        assert row.status == "pending" and "ConnectError" in (row.last_error or "")
        assert count(store, feedback) == 3
