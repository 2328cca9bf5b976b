"""The house rules of docs/architecture.md, enforced.

- The domain, method and lint layers import neither Textual nor LangChain nor Chroma nor openai.
- The interview engine does not know which LLM runs: it imports no LangChain/openai either.
- Only journeybot.tui imports Textual (and textual-serve).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "journeybot"
HEAVY = ("textual", "textual_serve", "langchain", "langchain_core", "langchain_openai",
         "langchain_chroma", "chromadb", "openai", "xllamacpp")

PURE_MODULES = [
    "journeybot.domain.journey_map",
    "journeybot.domain.map_file",
    "journeybot.method.catalog",
    "journeybot.method.gates",
]
PURE_PACKAGES = ["domain", "method", "lint"]


def _pure_modules() -> list[str]:
    mods = set(PURE_MODULES)
    for pkg in PURE_PACKAGES:
        for f in (SRC / pkg).glob("*.py"):
            mods.add(f"journeybot.{pkg}" + ("" if f.stem == "__init__" else f".{f.stem}"))
    engine = SRC / "interview" / "engine.py"
    if engine.exists():
        mods.add("journeybot.interview.engine")
    return sorted(mods)


def _loaded_after_import(module: str) -> list[str]:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", _pure_modules())
def test_pure_layers_import_no_ui_or_llm_stack(module: str) -> None:
    loaded = _loaded_after_import(module)
    bad = sorted({m.split(".")[0] for m in loaded if m.split(".")[0] in HEAVY})
    assert bad == [], f"{module} pulls in {bad}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_tui_imports_textual() -> None:
    offenders = [
        str(f.relative_to(SRC))
        for f in SRC.rglob("*.py")
        if "tui" not in f.relative_to(SRC).parts and _imports(f) & {"textual", "textual_serve"}
    ]
    assert offenders == []


def test_the_checker_sees_an_import_when_there_is_one(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from textual.app import App\n    return App\n")
    assert "textual" in _imports(sample)


def test_the_layer_contracts_hold_for_first_party_imports() -> None:
    """docs/architecture.md's table, as import-linter contracts in pyproject.toml: no layer imports one
    above it, and the interview sees only the model protocol."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], capture_output=True, text=True,
                          cwd=SRC.parent.parent, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
