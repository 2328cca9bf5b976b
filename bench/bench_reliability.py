"""The reliability table: every fault the stub OpenAI server can inject, tried on a whole interview, and
the `journeybot serve` checks; survived or not, and how long an answer waits before journeybot gives up.

    .venv/bin/python bench/bench_reliability.py [--deadline 3] [--write-readme]

For each fault mode, `journeybot interview` (the CLI's own code path, in this process) runs a French
answer file of 10 answers against tests/support/stub_openai.py on 127.0.0.1, with EVERY model request
faulted (the worst case), answer_deadline --deadline seconds, request_timeout 10 s, 1 retry, the
circuit breaker at its default (3 failures in a row). Survived means all of:

- exit code 0 and no traceback;
- every answer stored in sessions.db, in order, and every one read into a proposal;
- the saved map is valid and holds what the user said (the framing objective, the 5 stages named in the
  stages answer);
- no answer waited longer than the deadline plus 2 s (the request_timeout alone would allow 20 s);
- key echo: the API key is in none of the map, the transcript, sessions.db (and its -wal) or stdout;
- control characters: none reaches the map or the output;
- foreign script: no Chinese text in the map of a French interview.

"seconds to give up" is the longest an answer waited for the model before the rules read it.
The serve checks are tests/test_serve.py, run here through pytest (a real `journeybot serve` and a real
WebSocket client): each test is one row.

--write-readme puts the table into bench/README.md, between its reliability markers.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.answer_files import SHORT_FR as ANSWERS  # noqa: E402
from tests.support.answer_files import SHORT_FR_STAGES as STAGES  # noqa: E402
from tests.support.answer_files import answer_seconds  # noqa: E402
from tests.support.stub_openai import FOREIGN_TEXT, Reply, StubOpenAI  # noqa: E402

KEY = "sk-proj-reliability-0123456789abcdefXYZ"
MODES: dict[str, Reply] = {
    "429 rate limit (Retry-After 0.5 s)": Reply.rate_limited(retry_after=0.5),
    "HTTP 500": Reply.server_error(500),
    "TCP reset": Reply.reset(),
    "slow (30 s, over the 10 s read timeout)": Reply.slow(30.0),
    "body cut in the middle": Reply.truncated('{"stages": [{"name": "Besoin"}'),
    "not JSON (a proxy's HTML page)": Reply.not_json(),
    "JSON nested 1,100 deep": Reply.nested(1100),
    "trickle, 1 byte every 0.5 s": Reply.trickle(0.5),
    "hang (no byte at all)": Reply.hang(),
    "control characters in every value": Reply.control(),
    "the API key echoed in every value": Reply.key_echo(),
    "Chinese values in a French interview": Reply.foreign(),
}


@dataclass
class Outcome:
    mode: str
    tried: int
    survived: bool
    give_up_s: float
    model_read: int
    notes: str


def run_mode(mode: str, reply: Reply, folder: Path, deadline: float) -> Outcome:
    from typer.testing import CliRunner

    from journeybot.cli.main import app

    home = folder / re.sub(r"[^a-z0-9]+", "-", mode.lower())
    home.mkdir(parents=True)
    answers = home / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    out, transcript = home / "map.json", home / "transcript.md"
    env = {"JOURNEYBOT_HOME": str(home / "jb"), "OPENAI_API_KEY": KEY, "JOURNEYBOT_ANSWER_DEADLINE": str(deadline),
           "JOURNEYBOT_REQUEST_TIMEOUT": "10", "JOURNEYBOT_MAX_RETRIES": "1", "JOURNEYBOT_LANG": "fr"}
    with StubOpenAI(default=reply, max_sleep=30.0, lifetime=600) as stub:
        done = CliRunner(env=env).invoke(app, ["interview", "--answers", str(answers), "--out", str(out),
                                                "--transcript", str(transcript), "--model", "openai",
                                                "--base-url", stub.base_url, "--lang", "fr"])
        tried = len(stub.chat_requests())
    problems = _problems(mode, done, home, out, transcript, deadline)
    read_by = answer_seconds(done.output)
    waits = [seconds for who, seconds in read_by if who == "rules"]
    read = sum(1 for who, _ in read_by if who == "model")
    return Outcome(mode, tried, not problems, max(waits, default=0.0), read, "; ".join(problems))


def _problems(mode: str, done: Any, home: Path, out: Path, transcript: Path, deadline: float) -> list[str]:
    import sqlite3

    from journeybot.domain.map_file import MapFileError, load_map

    problems = []
    if done.exit_code != 0 or "Traceback" in done.output or (done.exception and not isinstance(done.exception,
                                                                                               SystemExit)):
        problems.append(f"exit {done.exit_code}: {type(done.exception).__name__ if done.exception else ''}")
        return problems
    db_path = home / "jb" / "data" / "sessions.db"
    db = sqlite3.connect(db_path)
    try:
        stored = [r[0] for r in db.execute("SELECT text FROM messages WHERE role = 'user' ORDER BY seq")]
        read = db.execute("SELECT COUNT(*) FROM proposals").fetchone()[0]
    finally:
        db.close()
    if len(stored) != 10 or read < 10:
        problems.append(f"{len(stored)} answers stored, {read} read")
    try:
        journey = load_map(out)
    except MapFileError as err:
        return [*problems, f"map: {err}"]
    if [s.name for s in journey.stages][:5] != STAGES:
        problems.append("the user's stages are not in the map")
    if not journey.framing.objective or "appellent" not in journey.framing.objective:
        problems.append("the user's framing objective is not in the map")
    waits = [seconds for _, seconds in answer_seconds(done.output)]
    if waits and max(waits) > deadline + 2:
        problems.append(f"an answer waited {max(waits):.1f} s")
    text = out.read_text(encoding="utf-8")
    if "key" in mode:
        leaks = [name for name, data in (
            ("map", out.read_bytes()), ("transcript", transcript.read_bytes()), ("stdout", done.output.encode()),
            ("sessions.db", db_path.read_bytes() + (db_path.with_name("sessions.db-wal").read_bytes()
                                                     if db_path.with_name("sessions.db-wal").exists() else b"")))
            if KEY.encode() in data]
        if leaks:
            problems.append("the key reached " + ", ".join(leaks))
    if "control" in mode and (re.search(r"\\u00[01][0-9a-f]|\\u007f", text) or "\x1b" in done.output):
        problems.append("a control character reached the map or the screen")
    if "Chinese" in mode and any(c in text for c in FOREIGN_TEXT):
        problems.append("Chinese text kept in a French map")
    return problems


def serve_checks() -> list[tuple[str, str]]:
    """(check, outcome) for each test of tests/test_serve.py, run through pytest."""
    import pytest

    class Collect:
        def __init__(self) -> None:
            self.rows: list[tuple[str, str]] = []

        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
                name = report.nodeid.split("::")[-1].removeprefix("test_").replace("_", " ")
                self.rows.append((name, report.outcome))

    collect = Collect()
    pytest.main(["-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_serve.py")], plugins=[collect])
    return collect.rows


def table(outcomes: list[Outcome], serve: list[tuple[str, str]], deadline: float, seconds: float) -> str:
    lines = [f"Faults on every model request of a 10-answer French interview (answer deadline {deadline:g} s, "
             f"request timeout 10 s, 1 retry, circuit breaker after 3 failures); `bench/bench_reliability.py`, "
             f"{time.strftime('%Y-%m-%d')}, {seconds:.0f} s, load average {os.getloadavg()[0]:.1f}. The model is "
             "asked about 7 of the 10 answers (the parts no cue word labels; the rules read the rest at once). "
             "With the labels schema a reply has no free text to carry a key, a control character or Chinese "
             "into the map; the streamed method answers that do are covered by tests/test_llm_hostile_server.py.",
             "",
             "| fault | requests tried | survived | seconds to give up (longest answer) | read by the model | notes |",
             "|---|---|---|---|---|---|"]
    for o in outcomes:
        lines.append(f"| {o.mode} | {o.tried} | {'yes' if o.survived else '**no**'} | {o.give_up_s:.1f} | "
                     f"{o.model_read}/10 | {o.notes} |")
    lines += ["", "`journeybot serve` (tests/test_serve.py: a real server, a real WebSocket client):", "",
              "| check | result |", "|---|---|"]
    lines += [f"| {name} | {'passed' if outcome == 'passed' else '**' + outcome + '**'} |" for name, outcome in serve]
    return "\n".join(lines)


BEGIN = "<!-- reliability table: bench/bench_reliability.py --write-readme -->"
END = "<!-- end of the reliability table -->"


def write_readme(text: str) -> None:
    readme = ROOT / "bench" / "README.md"
    current = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in current and END in current:
        current = current[: current.index(BEGIN)] + block + current[current.index(END) + len(END):]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--deadline", type=float, default=3.0, help="answer_deadline for the run (seconds)")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve checks")
    parser.add_argument("--write-readme", action="store_true", help="put the table into bench/README.md")
    args = parser.parse_args(argv)
    start = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="jb-reliability-"))
    os.environ["JOURNEYBOT_HOME"] = str(folder / "home")
    outcomes = []
    for mode, reply in MODES.items():
        outcome = run_mode(mode, reply, folder, args.deadline)
        print(f"{mode}: {'survived' if outcome.survived else 'FAILED'} ({outcome.tried} requests, "
              f"gave up after {outcome.give_up_s:.1f} s at most) {outcome.notes}", flush=True)
        outcomes.append(outcome)
    serve = [] if args.no_serve else serve_checks()
    text = table(outcomes, serve, args.deadline, time.monotonic() - start)
    print(text)
    if args.write_readme:
        write_readme(text)
    failed = [o for o in outcomes if not o.survived] + [s for s in serve if s[1] != "passed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
