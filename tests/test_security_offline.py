"""Offline means offline: with --model none or local-small, an interview, building the knowledge index,
asking the method and exporting attempt no network connection except to 127.0.0.1 (the embedded model
server). Checked with a socket guard (tests/support/socket_guard.py) that refuses and records any other
connection or name lookup; the guard is itself checked against the real OpenAI client path."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.map_file import load_map
from journeybot.llm import local_server
from tests.support.socket_guard import NetworkBlocked, socket_guard
from tests.support.stub_openai import StubOpenAI

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "interviews"
runner = CliRunner()


@pytest.fixture(scope="module")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("offline-home")
    yield home
    local_server.shutdown()


def test_the_guard_refuses_and_records_other_hosts_and_lets_loopback_through() -> None:
    with StubOpenAI(lifetime=30) as stub, socket_guard() as guard:
        port = stub.port
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("api.openai.com", 443)
        with pytest.raises(NetworkBlocked):
            socket.create_connection(("203.0.113.7", 80), timeout=0.1)
        s = socket.socket()
        try:
            with pytest.raises(NetworkBlocked):
                s.connect(("198.51.100.9", 443))
            s.settimeout(2)
            s.connect(("127.0.0.1", port))  # loopback is fine
        finally:
            s.close()
    assert len(guard.attempts) == 3 and any("api.openai.com" in a for a in guard.attempts)
    assert any(str(port) in a for a in guard.allowed)


def test_the_guard_catches_the_real_openai_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a base URL the openai backend goes to api.openai.com: the guard sees it (so a silence of the
    guard in the tests below means something), and the interview still ends with a clear sentence."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-journeybot-guard-1111")
    monkeypatch.setenv("JOURNEYBOT_MAX_RETRIES", "0")
    monkeypatch.setenv("JOURNEYBOT_REQUEST_TIMEOUT", "2")
    answers = tmp_path / "a.yaml"
    # the second sentence says nothing the rules know (no cue word): the model is asked about it
    answers.write_text("lang: en\nanswers:\n  framing: ['We want fewer calls. Mostly families with children.']\n",
                       encoding="utf-8")
    with socket_guard() as guard:
        done = runner.invoke(app, ["interview", "--answers", str(answers), "--out", str(tmp_path / "m.json"),
                                   "--model", "openai", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert any("api.openai.com" in a for a in guard.attempts)
    assert "Cannot reach the model server at https://api.openai.com/v1" in done.output


def test_an_interview_without_a_model_attempts_no_connection(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    with socket_guard() as guard:
        done = runner.invoke(app, ["interview", "--answers", str(EXAMPLES / "broadband.en.yaml"), "--out", str(out),
                                   "--model", "none", "--transcript", str(tmp_path / "t.md")])
    assert done.exit_code == 0, done.output
    assert guard.attempts == []
    assert len(load_map(out).stages) == 8


def test_the_embedded_model_only_talks_to_127_0_0_1(model_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """local-small: assembling the weights, starting the in-process llama.cpp server, a JSON-schema reading
    of an answer (the agent's own call) and a streamed reply, all under the guard. Kept to one short
    answer: the interview loop itself is the same as with --model none (checked above)."""
    from journeybot.domain.journey_map import JourneyMap
    from journeybot.interview import agent
    from journeybot.interview.types import PendingExtraction
    from journeybot.llm.factory import make_chat_model
    from journeybot.settings import load_settings

    monkeypatch.setenv("JOURNEYBOT_HOME", str(model_home))
    with socket_guard() as guard:
        model = make_chat_model(load_settings(model="local-small", request_timeout=600, answer_deadline=600))
        pending = PendingExtraction(1, "stages", None, "Besoin ; recherche ; souscription", False, bound=False)
        result = agent.extract(model, pending, JourneyMap(lang="fr"), "fr")
        assert model is not None
        streamed = "".join(model.stream([("user", "Dis bonjour en un mot.")], max_tokens=8))
    assert guard.attempts == []
    assert any("127.0.0.1" in a for a in guard.allowed)  # the model was really called, on loopback
    assert result.proposal.changes and streamed


def test_index_ask_and_export_attempt_no_connection(tmp_path: Path) -> None:
    source = REPO / "examples" / "mutuelle-optique-enfants.fr.json"
    with socket_guard() as guard:
        built = runner.invoke(app, ["index", "--lang", "fr"])
        asked = runner.invoke(app, ["ask", "c'est quoi un moment de vérité ?", "--lang", "fr"])
        again = runner.invoke(app, ["index", "--lang", "en"])
        exports = [runner.invoke(app, ["export", str(source), "--format", fmt, "--output", str(tmp_path / f"x.{fmt}")])
                   for fmt in ("json", "md", "csv", "html", "mermaid", "cjml")]
    assert built.exit_code == 0, built.output
    assert asked.exit_code == 0 and "moment" in asked.output.lower(), asked.output
    assert again.exit_code == 0, again.output
    assert all(e.exit_code == 0 for e in exports), [e.output for e in exports]
    assert guard.attempts == []
