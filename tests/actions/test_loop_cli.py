"""``klarsyn alerts``, ``klarsyn cases`` and ``klarsyn actions`` from the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from klarsyn.cli.main import app
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, create_user

runner = CliRunner()


def cli(database_url: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", database_url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_rules_cases_and_plans_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    with Store.open(database_url) as store:
        create_user(
            store, email="a@example.com", password="long enough pw", role=Role.agent, team="dk"
        )
    cli(database_url, "alerts", "channel", "add", "ops", "--kind", "email", "--target", "o@x.se")
    cli(
        database_url,
        "alerts", "rule", "add", "Danish detractors",
        "--kind", "detractor_comment", "--scope", "region:DK", "--team", "dk",
        "--channel", "ops", "--priority", "high",
    )  # fmt: skip
    [rule] = json.loads(cli(database_url, "alerts", "rule", "list", "--json"))
    assert (rule["scope"], rule["channels"], rule["threshold"]) == ({"region": "DK"}, ["ops"], 6)

    path = tmp_path / "f.csv"
    path.write_text(
        "id,received_at,channel,customer_id,nps,text,region\n"
        "a,2026-06-01 10:00,web,c1,3,For dyrt,DK\n"
        "b,2026-06-01 11:00,web,c2,3,För dyrt,SE\n",
        encoding="utf-8",
    )
    output = cli(database_url, "import", "feedback", str(path))
    # E-mail is not configured here: the message waits in the outbox and the import succeeds.
    assert "1 alerts, 1 cases opened, 1 notifications queued" in output
    [message] = json.loads(cli(database_url, "alerts", "outbox", "--json"))
    assert message["status"] == "pending" and "KLARSYN_SMTP_HOST" in message["last_error"]

    [case] = json.loads(cli(database_url, "cases", "list", "--json"))
    assert (case["team"], case["customer_id"], case["priority"]) == ("dk", "c1", "high")
    cli(
        database_url,
        "cases", "update", str(case["id"]), "--user", "a@example.com",
        "--status", "resolved", "--resolution", "explained", "--note", "Förklarade priset",
    )  # fmt: skip
    shown = json.loads(cli(database_url, "cases", "show", str(case["id"]), "--json"))
    assert shown["status"] == "resolved"
    assert [n["body"] for n in shown["notes"]] == ["Förklarade priset"]
    assert [(e["action"], e["actor"]) for e in shown["audit"]][-1] == ("note", "a@example.com")

    missing = runner.invoke(app, ["--db", database_url, "cases", "update", "1", "--user", "x@y"])
    assert missing.exit_code == 1 and "no user 'x@y'" in missing.output

    cli(
        database_url,
        "actions", "add", "Lower prices in Denmark", "--start", "2026-05-01",
        "--target", "region:DK", "--milestone", "New price list",
    )  # fmt: skip
    [plan] = json.loads(cli(database_url, "actions", "list", "--json"))
    assert (plan["target"], plan["comparison"], plan["status"]) == (
        {"region": "DK"},
        None,
        "active",
    )
    cards = json.loads(cli(database_url, "actions", "scorecards", "--json"))
    assert [(c["team"], c["handled"], c["loops_closed"]) for c in cards] == [("dk", 1, 1)]
