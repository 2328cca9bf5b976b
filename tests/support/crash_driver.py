"""A headless interview that can be killed at any moment and resumed: the crash-safety tests run it as a
subprocess and `kill -9` it.

    python -m tests.support.crash_driver DB ANSWERS.yaml [SESSION_ID]
    python -m tests.support.crash_driver --zygote

The zygote imports everything once, then for each line ``RUN DB ANSWERS [SESSION_ID]`` read on stdin forks a
child process that runs the interview (its own database connection, its own process: ``kill -9`` kills
it alone), prints ``PID <pid>``, waits for it and prints ``EXIT <pid> <status>`` (-9 after a SIGKILL).
Start-up then costs milliseconds instead of a second, so a test can kill many runs quickly.

Without a session id it starts a new session; with one it resumes it (reading the answers stored but never
read, accepting the readings never accepted), then feeds the answers of the file that are not stored yet,
in order, as `journeybot interview` does. It prints, flushed, one line per step:

    READY                      imports done, database open
    SESSION <id>               the session it works on (after it is saved)
    COMMITTED <phase> <n>      answer n (0-based) of that phase is committed to the database
    APPLIED <phase> <n>        its reading is applied and the map saved
    DONE <answers>             the interview reached its end
"""

from __future__ import annotations

import os
import sys
import traceback
from collections import Counter
from pathlib import Path


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(db: Path, answers_path: Path, session_id: str | None) -> int:
    from journeybot.interview.headless import load_answers
    from journeybot.interview.session import Interview
    from journeybot.method.model import PHASE_IDS
    from journeybot.store import SessionStore

    answers = load_answers(answers_path)
    lang = answers.lang or "fr"
    store = SessionStore(db)
    emit("READY")
    if session_id is None:
        interview = Interview.start(store, lang=lang, title=answers.title)
        emit(f"SESSION {interview.session_id}")
        interview.answers_follow_questions = False
        interview.opening()
    else:
        interview = Interview.resume(store, session_id)
        interview.answers_follow_questions = False
        emit(f"SESSION {interview.session_id}")
        for proposal in interview.pending_proposals():  # read before the kill, never applied
            interview.accept(proposal, confirm=False)
        for pending in interview.unread_answers():  # stored before the kill, never read
            interview.accept(interview.run_extraction(pending).proposal, confirm=False)
    stored = Counter(m.phase for m in interview.messages() if m.role == "user" and m.kind == "answer")
    for phase in PHASE_IDS:
        for n, text in enumerate(answers.answers.get(phase, [])):
            if n < stored[phase]:
                continue
            interview.enter_phase(phase)
            reply = interview.submit(text)
            emit(f"COMMITTED {phase} {n}")
            if reply.pending is not None:
                interview.accept(interview.run_extraction(reply.pending).proposal, confirm=False)
                emit(f"APPLIED {phase} {n}")
    interview.finish()
    total = sum(1 for m in interview.messages() if m.role == "user" and m.kind == "answer")
    store.close()
    emit(f"DONE {total}")
    return 0


def zygote() -> int:
    from journeybot.interview.session import Interview

    Interview.warm_up()
    emit("ZYGOTE")
    for command in sys.stdin:
        parts = command.split()
        if not parts or parts[0] != "RUN":
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the child: one interview run, then leave without running the parent's cleanup
            code = 1
            try:
                code = run(Path(parts[1]), Path(parts[2]), parts[3] if len(parts) > 3 else None)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        emit(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        emit(f"EXIT {pid} {-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)}")
    return 0


def main(argv: list[str]) -> int:
    if argv == ["--zygote"]:
        return zygote()
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__ or "")
        return 2
    return run(Path(argv[0]), Path(argv[1]), argv[2] if len(argv) == 3 else None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
