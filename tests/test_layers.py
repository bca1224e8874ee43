"""Layers you can see: each package imports only the layers below it.

knowledge/ imports nothing of ours; storage/ at most knowledge/; handlers/ never bot/;
bot/ (entry points, composition root, console channel) may import everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.config import REPO_ROOT

ALLOWED = {
    "knowledge": {"knowledge"},
    "storage": {"storage", "knowledge"},
    "handlers": {"handlers", "storage", "knowledge"},
    "bot": {"bot", "handlers", "storage", "knowledge"},
}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_the_layers_below(package: str) -> None:
    ours = set(ALLOWED)
    wrong = []
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        for imported, line in imported_packages(path):
            if imported in ours and imported not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {imported}")
    assert wrong == []


def test_storage_has_no_import_cycle_between_consents_and_ideas() -> None:
    consents = imported_packages(REPO_ROOT / "storage" / "consents.py")
    source = (REPO_ROOT / "storage" / "consents.py").read_text(encoding="utf-8")
    assert "storage.ideas" not in source and ("storage", 0) not in consents
