"""`journeybot serve` lets in only the people given its link, and lets them touch only the workshop.

A real `journeybot serve` on 127.0.0.1 (its own process, textual-serve, one app process per
connection) and a real WebSocket client (aiohttp), as a browser or an attacker would connect:
no token, a foreign Origin, a DNS-rebinding Host, the good link; /import and /export trying to leave
the workshop folder; more connections than --max-sessions; /model; other participants' sessions."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from journeybot.store.sessions import default_path
from tests.support.served import TOKEN, Participant, Served

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("serve-home")
    env = {"JOURNEYBOT_HOME": str(home / "journeybot"), "HOME": str(home)}
    with Served(home, "--max-sessions", "2", env=env) as server:
        server.workdir.mkdir(parents=True, exist_ok=True)
        (server.workdir / "avis.csv").write_text("texte,source\nLe livreur était très aimable,avis\n",
                                                  encoding="utf-8")
        (server.workdir / "dehors.csv").symlink_to(home / "secret.csv")
        (home / "secret.csv").write_text("texte\nOPENAI_API_KEY=sk-not-for-participants\n", encoding="utf-8")
        yield server


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def handshake_status(served: Served, *, token: str | None, origin: str | None,
                           host: str | None = None) -> int:
    async with aiohttp.ClientSession() as session:
        headers = {k: v for k, v in (("Origin", origin), ("Host", host)) if v}
        query = f"&token={token}" if token else ""
        try:
            ws = await session.ws_connect(f"{served.base}/ws?width=80&height=24{query}", headers=headers)
        except aiohttp.WSServerHandshakeError as err:
            return err.status
        await ws.close()
        return 101


def test_no_token_is_refused(served: Served) -> None:
    assert run(handshake_status(served, token=None, origin=served.base)) == 403
    assert run(handshake_status(served, token="wrong-token-0123456789", origin=served.base)) == 403

    async def page() -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(served.base + "/") as response:
            return response.status, await response.text()

    status, text = run(page())  # type: ignore[misc]
    assert status == 403 and "needs the workshop link with its token" in text


def test_a_foreign_origin_is_refused_even_with_the_token(served: Served) -> None:
    assert run(handshake_status(served, token=TOKEN, origin="http://evil.example")) == 403
    assert run(handshake_status(served, token=TOKEN, origin="null")) == 403


def test_a_dns_rebinding_host_is_refused(served: Served) -> None:
    assert run(handshake_status(served, token=TOKEN, origin=None, host=f"evil.example:{served.port}")) == 403


def test_the_link_gives_the_first_screen_and_files_stay_in_the_workshop(served: Served, tmp_path: Path) -> None:
    outside = served.workdir.parent / "evil.md"

    async def session() -> str:
        async with Participant(served) as p:
            await p.screen_shows("journeybot", "Framing")
            await p.type("/export md ../evil.md")
            await p.screen_shows("leaves the workshop folder")
            await p.clear()  # a refused command goes back into the prompt
            await p.type(f"/export md {outside}")
            await p.screen_shows("only use the workshop folder")
            await p.clear()
            await p.type("/import /etc/passwd")
            await p.screen_shows("Cannot import")
            await p.type("/import dehors.csv")
            await p.screen_shows("leads outside the workshop folder")
            await p.type("/import avis.csv")
            await p.screen_shows("1 piece of customer evidence imported from avis.csv")
            await p.type("/export md carte.md")
            await p.screen_shows("Map exported: carte.md")
            await p.type("/model openai")
            text = await p.screen_shows("the coach chose the model")
            await p.clear()
            return text

    text = run(session())
    assert not outside.exists()
    assert "root:" not in str(text) and "sk-not-for-participants" not in str(text)
    assert (served.workdir / "carte.md").is_file()
    db = sqlite3.connect(default_path_of(served))
    try:
        owners = {row[0] for row in db.execute("SELECT owner FROM sessions")}
        texts = " ".join(row[0] for row in db.execute("SELECT text FROM messages"))
    finally:
        db.close()
    assert owners and "" not in owners  # every served session belongs to a participant
    assert "sk-not-for-participants" not in texts and "root:x" not in texts


def default_path_of(served: Served) -> Path:
    return Path(served.env["JOURNEYBOT_HOME"]) / "data" / default_path().name


def wait_for_apps_to_end(served: Served, timeout: float = 60.0) -> None:
    """Sessions of earlier tests end when their app process has quit."""
    ends = time.monotonic() + timeout
    while len(served.processes()) > 1 and time.monotonic() < ends:
        time.sleep(0.2)


def test_more_connections_than_max_sessions_are_refused_clearly(served: Served) -> None:
    wait_for_apps_to_end(served)

    async def three() -> tuple[int | None, str, int]:
        async with Participant(served) as first, Participant(served) as second:
            await first.screen_shows("Framing")
            await second.screen_shows("Framing")
            apps = len(served.processes())
            async with Participant(served) as third:
                closed = await third.wait_closed()
                return closed, third.text, apps - len(served.processes())

    closed, text, started = run(three())  # type: ignore[misc]
    assert closed == 1013  # try again later
    assert "the workshop is full (2 of 2 sessions open)" in text
    assert started == 0  # the refused connection started no process


def test_a_participant_sees_only_their_own_sessions(tmp_path: Path) -> None:
    """What /sessions lists and --session resumes, for two participants and the coach's terminal."""
    from journeybot.settings import load_settings
    from journeybot.store import SessionStore
    from journeybot.store.sessions import SessionNotFound
    from journeybot.tui.interview_adapter import open_conversation

    alice = open_conversation(load_settings(participant="alice-0123456789abcdef"), None, "fr")
    bob = open_conversation(load_settings(participant="bob-0123456789abcdef00"), None, "fr")
    try:
        assert [s.id for s in alice.sessions()] == [alice.session_id]
        assert [s.id for s in bob.sessions()] == [bob.session_id]
        with pytest.raises(SessionNotFound):
            open_conversation(load_settings(participant="bob-0123456789abcdef00"), alice.session_id, "fr")
    finally:
        alice.close()
        bob.close()
    with SessionStore() as coach:  # the coach's own terminal sees every session
        assert {s.id for s in coach.sessions()} == {alice.session_id, bob.session_id}


def test_the_token_can_come_from_the_environment_and_is_not_passed_to_the_apps(tmp_path: Path) -> None:
    secret = "env-token-abcdefghijklmnop"
    env = {"JOURNEYBOT_HOME": str(tmp_path / "jb"), "JOURNEYBOT_SERVE_TOKEN": secret}
    served = Served(tmp_path, token=secret, env=env)
    served.args.remove("--token")
    served.args.remove(secret)

    async def probe() -> str:
        async with Participant(served, token=secret) as p:
            await p.screen_shows("Framing")
            return ""

    with served:
        run(probe())
        apps = [pid for pid in served.processes() if pid != served.proc.pid]  # type: ignore[union-attr]
        environments = [Path(f"/proc/{pid}/environ").read_bytes() for pid in apps]
    assert environments and not any(secret.encode() in e for e in environments)
    assert all(b"JOURNEYBOT_PARTICIPANT=" in e and b"JOURNEYBOT_WORKDIR=" in e for e in environments)
    # the method index's embedding model runs once, in the serve process, for every app
    assert all(b"JOURNEYBOT_EMBEDDINGS_URL=http://127.0.0.1:" in e for e in environments)
    assert os.environ.get("JOURNEYBOT_SERVE_TOKEN") is None
