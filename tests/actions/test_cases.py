"""Cases in the core: SLA breaches, the trail of rules and jobs, and team scorecards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from klarsyn.actions.cases import (
    CaseStatus,
    count_open,
    create_case,
    get_case,
    list_cases,
    mark_breaches,
    update_case,
)
from klarsyn.actions.evaluate import evaluate
from klarsyn.actions.rules import add_rule
from klarsyn.actions.scorecards import scorecards
from klarsyn.actions.trail import audit_trail
from klarsyn.collect.importer import import_file
from klarsyn.errors import Forbidden, NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User, create_user

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


def person(store: Store, name: str, role: Role, team: str | None = None) -> User:
    return create_user(
        store, email=f"{name}@example.com", password="long enough pw", role=role, team=team
    )


def load(store: Store, tmp_path: Path, rows: str, name: str = "f.csv") -> None:
    path = tmp_path / name
    path.write_text("id,received_at,channel,customer_id,nps,text\n" + rows, encoding="utf-8")
    import_file(path, kind="feedback", store=store)


def test_open_cases_past_due_are_marked_breached_once_by_the_system(store: Store) -> None:
    agent = person(store, "a", Role.agent, "service")
    urgent = create_case(store, user=agent, title="Ring kunden", priority="urgent", now=NOW)
    normal = create_case(store, user=agent, title="Svara på mejl", now=NOW)
    assert urgent.sla_due_at == NOW + timedelta(hours=4)
    assert not urgent.breached(NOW + timedelta(hours=3))
    assert urgent.breached(NOW + timedelta(hours=5))
    assert mark_breaches(store, now=NOW + timedelta(hours=5)) == 1
    assert mark_breaches(store, now=NOW + timedelta(hours=6)) == 0
    trail = audit_trail(store, case_id=urgent.id)
    assert [(e.action, e.actor, e.user_id, e.at) for e in trail][-1] == (
        "sla_breached",
        "system",
        None,
        NOW + timedelta(hours=5),
    )
    assert get_case(store, case_id=normal.id, user=None).sla_breached_at is None
    # A breach stays on record after the case is closed.
    update_case(store, case_id=urgent.id, user=agent, status="closed", now=NOW + timedelta(days=1))
    assert get_case(store, case_id=urgent.id, user=None).breached(NOW + timedelta(days=2))


def test_cases_from_rules_name_the_rule_in_their_trail(store: Store, tmp_path: Path) -> None:
    add_rule(store, name="Detractors", kind="detractor_comment", route_team="service", now=NOW)
    load(store, tmp_path, "a,2026-06-01 08:00,web,c1,2,Dåligt bemötande\n")
    evaluate(store, now=NOW)
    [case] = list_cases(store, user=None)
    [created] = audit_trail(store, case_id=case.id)
    assert (created.actor, created.user_id, created.at) == ("rule: Detractors", None, NOW)


def test_agents_see_their_team_and_agents_without_a_team_see_nothing(store: Store) -> None:
    analyst = person(store, "boss", Role.analyst)
    service = person(store, "s", Role.agent, "service")
    loner = person(store, "l", Role.agent)
    viewer = person(store, "v", Role.viewer)
    for team in ("service", "sales"):
        create_case(store, user=analyst, title=f"for {team}", team=team, now=NOW)
    assert [c.team for c in list_cases(store, user=service)] == ["service"]
    assert list_cases(store, user=loner) == []
    assert count_open(store, user=analyst) == 2 and count_open(store, user=service) == 1
    assert len(list_cases(store, user=viewer)) == 2
    with pytest.raises(Forbidden):
        create_case(store, user=viewer, title="x", now=NOW)
    with pytest.raises(NotFound):
        get_case(store, case_id=1, user=loner)


def test_scorecards_count_what_each_team_did_and_what_came_back(
    store: Store, tmp_path: Path
) -> None:
    agent = person(store, "s", Role.agent, "service")
    load(
        store,
        tmp_path,
        "a,2026-05-30 08:00,web,c1,2,Sen leverans\n"
        "b,2026-05-30 09:00,web,c2,4,Fel vara\n"
        "c,2026-06-05 09:00,web,c1,10,Tack för hjälpen!\n"
        "d,2026-06-06 09:00,web,c2,7,Okej\n",
    )
    add_rule(
        store,
        name="Detractors",
        kind="detractor_comment",
        route_team="service",
        backfill=True,
        now=NOW,
    )
    evaluate(store, now=NOW)
    first, second = sorted(list_cases(store, user=None), key=lambda c: c.customer_id or "")
    update_case(
        store,
        case_id=first.id,
        user=agent,
        status="resolved",
        resolution_code="compensated",
        now=NOW + timedelta(hours=2),
    )
    update_case(
        store,
        case_id=second.id,
        user=agent,
        status="resolved",
        resolution_code="unreachable",
        now=NOW + timedelta(days=4),  # after the 72-hour SLA
    )
    [card] = scorecards(store, since=NOW, until=NOW + timedelta(days=30), now=NOW)
    assert card.team == "service"
    assert (card.handled, card.sla_kept, card.loops_closed) == (2, 0.5, 1)
    # c1 went from 2 to 10, c2 from 4 to 7.
    assert (card.follow_up, card.follow_up_n) == (5.5, 2)
    assert card.positive_feedback == 1
    assert (card.open, card.open_breached) == (0, 0)
    assert get_case(store, case_id=first.id, user=None).status == CaseStatus.resolved
