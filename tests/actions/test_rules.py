"""Rules over new feedback: what matches, scope, routing, once per event, and the outbox."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from klarsyn.actions.cases import list_cases
from klarsyn.actions.evaluate import evaluate
from klarsyn.actions.outbox import SENDING, Message, _claim, backoff, dispatch, recent
from klarsyn.actions.rules import add_channel, add_rule, list_rules, update_rule
from klarsyn.actions.trail import audit_trail
from klarsyn.collect.importer import import_file
from klarsyn.errors import InputError
from klarsyn.storage.loop_tables import outbox
from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments, feedback

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
FEEDBACK = (
    "id,received_at,channel,customer_id,nps,text,region\n"
    "a,2026-06-29 09:00,web,c1,3,Leveransen var sen,DK\n"
    "b,2026-06-29 10:00,store,c2,2,Kassan var långsam,DK\n"
    "c,2026-06-29 11:00,web,c3,1,Slow delivery,SE\n"
    "d,2026-06-29 12:00,web,c4,9,Jeg vil opsige mit medlemskab,DK\n"
    "e,2026-06-29 13:00,web,c5,4,,DK\n"
)
CUSTOMERS = "customer_id,annual_value\nc1,12000\nc2,300\nc3,50000\n"


def load(store: Store, tmp_path: Path, text: str = FEEDBACK, name: str = "f.csv") -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    import_file(path, kind="feedback", store=store)


@pytest.fixture
def hook(store: Store) -> str:
    add_channel(store, name="hook", kind="webhook", target="http://127.0.0.1:9/x", now=NOW)
    return "hook"


def case_customers(store: Store) -> list[str | None]:
    return sorted(c.customer_id or "" for c in list_cases(store, user=None))


def test_detractor_comments_in_scope_become_cases_routed_to_the_team(
    store: Store, tmp_path: Path, hook: str
) -> None:
    add_rule(
        store,
        name="DK web detractors",
        kind="detractor_comment",
        scope={"region": "DK", "channel": "web"},
        route_team="dk-service",
        channels=[hook],
        now=NOW,
    )
    load(store, tmp_path)
    result = evaluate(store, now=NOW)
    assert (result.checked, result.hits, result.cases, result.queued) == (5, 1, 1, 1)
    [case] = list_cases(store, user=None)
    assert (case.customer_id, case.team, case.sla_due_at) == (
        "c1",
        "dk-service",
        NOW + timedelta(hours=72),
    )


def test_low_scores_from_high_value_customers(store: Store, tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text(CUSTOMERS, encoding="utf-8")
    import_file(customers, kind="customers", store=store)
    add_rule(
        store,
        name="Valuable and unhappy",
        kind="low_score",
        metric="nps",
        threshold=3,
        params={"min_value": 10000},
        now=NOW,
    )
    load(store, tmp_path)
    evaluate(store, now=NOW)
    # c2 is worth too little, c4/c5 scored too high, c5 has no CRM value at all.
    assert case_customers(store) == ["c1", "c3"]


def test_intent_to_leave_matches_whatever_the_score(store: Store, tmp_path: Path) -> None:
    add_rule(store, name="Leaving", kind="leave_intent", priority="urgent", now=NOW)
    load(store, tmp_path)
    evaluate(store, now=NOW)
    [case] = list_cases(store, user=None)
    assert case.customer_id == "c4" and case.priority == "urgent"
    assert "opsige" in case.title


def test_rules_look_only_at_new_feedback_unless_they_backfill(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    add_rule(store, name="From now on", kind="detractor_comment", now=NOW)
    assert evaluate(store, now=NOW).hits == 0
    add_rule(store, name="Everything", kind="detractor_comment", backfill=True, now=NOW)
    assert evaluate(store, now=NOW).hits == 3
    load(
        store,
        tmp_path,
        "id,received_at,channel,nps,text\nz,2026-06-30 08:00,web,0,Dåligt\n",
        "g.csv",
    )
    result = evaluate(store, now=NOW)
    assert (result.checked, result.hits) == (2, 2)
    assert {rule.checked_through for rule in list_rules(store)} == {6}


def test_disabled_rules_and_rules_without_cases(store: Store, tmp_path: Path, hook: str) -> None:
    off = add_rule(store, name="Off", kind="detractor_comment", now=NOW)
    update_rule(store, rule_id=off.id, enabled=False, now=NOW)
    add_rule(
        store,
        name="Just tell",
        kind="detractor_comment",
        create_case=False,
        channels=[hook],
        now=NOW,
    )
    load(store, tmp_path)
    result = evaluate(store, now=NOW)
    assert (result.hits, result.cases, result.queued) == (3, 0, 3)
    assert list_cases(store, user=None) == []


def test_rules_refuse_what_they_cannot_do(store: Store) -> None:
    with pytest.raises(InputError, match="no notification channel"):
        add_rule(store, name="x", kind="detractor_comment", channels=["nowhere"], now=NOW)
    with pytest.raises(InputError, match="needs a metric and a threshold"):
        add_rule(store, name="x", kind="low_score", now=NOW)
    with pytest.raises(InputError, match="needs a theme"):
        add_rule(store, name="x", kind="theme_share", now=NOW)
    with pytest.raises(InputError, match="not an http"):
        add_channel(store, name="x", kind="slack", target="javascript:alert(1)", now=NOW)


def test_a_theme_crossing_its_threshold_alerts_once_a_week(store: Store, tmp_path: Path) -> None:
    rows = "".join(f"t{i},2026-06-28 10:00,web,{i % 10},text {i}\n" for i in range(40))
    load(store, tmp_path, "id,received_at,channel,nps,text\n" + rows)
    with store.begin() as connection:
        ids = connection.execute(select(feedback.c.id).order_by(feedback.c.id)).scalars().all()
        for position, feedback_id in enumerate(ids):
            themes = ["delivery"] if position < 10 else ["price"]
            connection.execute(
                insert(enrichments).values(
                    feedback_id=feedback_id,
                    model="test",
                    model_version="1",
                    themes={"themes": themes, "mentions": {}},
                    enriched_at=NOW,
                )
            )
    add_rule(
        store,
        name="Delivery spike",
        kind="theme_share",
        threshold=0.3,
        params={"theme": "delivery"},
        now=NOW,
    )
    assert evaluate(store, now=NOW).hits == 0  # 25 % is below 30 %
    add_rule(
        store,
        name="Delivery 20",
        kind="theme_share",
        threshold=0.2,
        params={"theme": "delivery"},
        now=NOW,
    )
    first = evaluate(store, now=NOW)
    assert (first.hits, first.cases) == (1, 1)
    assert "25% of 40" in list_cases(store, user=None)[0].title
    assert evaluate(store, now=NOW + timedelta(hours=1)).hits == 0  # same ISO week


def test_a_claimed_message_is_not_sent_by_a_second_dispatcher(
    store: Store, tmp_path: Path, hook: str
) -> None:
    add_rule(store, name="All", kind="detractor_comment", channels=[hook], now=NOW)
    load(store, tmp_path)
    evaluate(store, now=NOW)
    [first] = _claim(store, now=NOW, limit=1)  # a dispatcher that then stalls mid-send
    sent: list[Message] = []
    assert dispatch(store, send=sent.append, now=NOW + timedelta(seconds=1)).sent == 2
    assert first.id not in [m.id for m in sent]
    with store.engine.connect() as connection:
        status = connection.execute(select(outbox.c.status).where(outbox.c.id == first.id)).scalar()
    assert status == SENDING
    # Once its lease ran out, the row is sent by the next dispatcher, once.
    later = dispatch(store, send=sent.append, now=NOW + timedelta(minutes=6))
    assert later.sent == 1 and len(sent) == 3 and len({m.key for m in sent}) == 3
    assert [row.status for row in recent(store)] == ["sent"] * 3


def test_backoff_doubles_up_to_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 10)]
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 3600 and waits == sorted(waits)


def test_a_comment_several_rules_match_gets_one_case_and_each_rule_notifies(
    store: Store, tmp_path: Path, hook: str
) -> None:
    add_rule(store, name="Detractors", kind="detractor_comment", channels=[hook], now=NOW)
    add_rule(store, name="Leaving", kind="leave_intent", channels=[hook], now=NOW)
    load(
        store,
        tmp_path,
        "id,received_at,channel,nps,text\nq,2026-06-29 09:00,web,1,Jeg vil opsige\n",
    )
    result = evaluate(store, now=NOW)
    assert (result.hits, result.cases, result.queued) == (2, 1, 2)
    [case] = list_cases(store, user=None)
    trail = [(e.action, e.actor) for e in audit_trail(store, case_id=case.id)]
    assert trail == [("created", "rule: Detractors"), ("alert", "rule: Leaving")]
    with store.engine.connect() as connection:
        payloads = (
            connection.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars().all()
        )
    assert [p["case"]["id"] for p in payloads] == [case.id, case.id]


def _months_of_nps(path: Path, *, drop_in: str, seed: int = 4) -> Path:
    """14 months of NPS answers from two regions; in the month ``drop_in`` the north falls."""
    rng = random.Random(seed)
    lines = ["id,received_at,channel,customer_id,nps,region"]
    for index in range(14):
        year, month = 2025 + index // 12, index % 12 + 1
        for i in range(300):
            region = "north" if i % 2 else "south"
            base = 8.5 if not (f"{year}-{month:02d}" == drop_in and region == "north") else 3.0
            score = max(0, min(10, round(rng.gauss(base, 1.8))))
            day = 1 + i % 27
            lines.append(f"m{index}-{i},{year}-{month:02d}-{day:02d} 12:00,survey,c{index}-{i},"
                         f"{score},{region}")  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_finding_alerts_once_with_its_cause(store: Store, tmp_path: Path) -> None:
    now = datetime(2026, 2, 27, 12, tzinfo=UTC)
    import_file(_months_of_nps(tmp_path / "m.csv", drop_in="2026-02"), kind="feedback", store=store)
    add_rule(store, name="Company NPS moved", kind="finding", params={"metrics": ["nps"]}, now=now)
    add_rule(store, name="South moved", kind="finding", scope={"region": "south"}, now=now)
    first = evaluate(store, now=now, time_zone="UTC")
    assert first.hits == 1
    [case] = list_cases(store, user=None)
    assert case.title.startswith("Company NPS moved: NPS"), case.title
    assert "2026-02" in case.title and "region" in case.title and "north" in case.title
    # Run again (and again after a restart): the same finding is not news twice.
    assert evaluate(store, now=now, time_zone="UTC").hits == 0
