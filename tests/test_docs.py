"""The README documents every command and every setting."""

from __future__ import annotations

from pathlib import Path

import typer

from klarsyn.cli.main import app
from klarsyn.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def command_paths() -> list[str]:
    root = typer.main.get_command(app)
    paths = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        paths.extend([f"{name} {s}" for s in sub] if sub else [name])
    return paths


def test_every_command_is_in_the_readme() -> None:
    missing = [
        path for path in command_paths() if f"klarsyn {path}" not in README and not _grouped(path)
    ]
    assert missing == []


def _grouped(path: str) -> bool:
    group, _, sub = path.partition(" ")
    return bool(sub) and any(
        f"klarsyn {group} " in line and sub in line for line in README.splitlines()
    )


def test_every_setting_is_in_the_readme() -> None:
    for name in Settings.model_fields:
        assert f"KLARSYN_{name.upper()}" in README
