"""The one place where a test may skip: when a system program it drives (Debian's Chromium and its
driver, tmux) is not installed.

On a fresh machine the README's test command then passes and pytest's summary says which tests were
skipped, why, and the apt line that installs what they need. CI installs those programs first and sets
JOURNEYBOT_REQUIRE_SYSTEM_TOOLS=1 (.ci/run): there a missing program fails the test instead of
skipping it, so CI never goes green without having run them.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_VAR = "JOURNEYBOT_REQUIRE_SYSTEM_TOOLS"
INSTALL_LINE = "apt-get install -y chromium chromium-driver tmux"


def require_program(what: str, *names: str) -> str:
    """The path of the first of ``names`` found on PATH. When none is: skip the test with the reason
    and the install line, or fail it when JOURNEYBOT_REQUIRE_SYSTEM_TOOLS=1."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    reason = f"{what} is not installed (no {' or '.join(names)} on PATH); install it with: {INSTALL_LINE}"
    if os.environ.get(REQUIRE_VAR, "").strip() == "1":
        pytest.fail(f"{reason} ({REQUIRE_VAR}=1: this run must drive the real program)", pytrace=False)
    pytest.skip(reason)


def chromium() -> tuple[str, str]:
    """(the Chromium binary, its chromedriver)."""
    return (require_program("Chromium", "chromium", "chromium-browser"),
            require_program("chromedriver (Debian package chromium-driver)", "chromedriver"))


def tmux() -> str:
    return require_program("tmux", "tmux")
