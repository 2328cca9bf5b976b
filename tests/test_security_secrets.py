"""The API key never leaves the process: a recognisable key is set, an interview runs against the stub
OpenAI server (which also echoes the key back in an error, as real servers do for a wrong key), with every
logger at DEBUG; then the map is exported in every format, the transcript written and the session shown.
Every byte written under the temporary home and every output, log record, stdout and stderr is searched:
the key is never there (nor its distinctive half)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from tests.support.stub_openai import Reply, StubOpenAI

SECRET = "sk-journeybot-SECRET-4242"
PIECES = (SECRET, "SECRET-4242", SECRET.encode("utf-16-le").decode("latin-1"))
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "interviews"
runner = CliRunner()


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Every logger (journeybot, openai, httpx, langchain...) at DEBUG, into a file."""
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def _leaks(data: bytes) -> list[str]:
    text = data.decode("latin-1")
    return [p for p in PIECES if p in text]


def test_the_key_is_never_written_logged_or_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     debug_log: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("JOURNEYBOT_MAX_RETRIES", "1")
    monkeypatch.setenv("JOURNEYBOT_REQUEST_TIMEOUT", "0.5")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    map_path, transcript = out_dir / "map.json", out_dir / "talk.md"
    outputs: list[str] = []
    with StubOpenAI(lifetime=120) as stub:
        stub.queue(
            Reply.error_status(401, f"Incorrect API key provided: {SECRET}. You can find your key at ...",
                               "invalid_api_key"),
            Reply.error_status(400, f"Bad request from key {SECRET}", "bad_request"),
            Reply.server_error(500), Reply.server_error(500),
            Reply.rate_limited(retry_after=0.1), Reply.reset(), Reply.slow(2.0), Reply.slow(2.0),
            Reply.not_json(f"<html>proxy error for Authorization: Bearer {SECRET}</html>"),
            Reply.truncated(f'{{"note": "{SECRET}'),
        )
        done = runner.invoke(app, ["interview", "--answers", str(EXAMPLES / "broadband.en.yaml"),
                                   "--out", str(map_path), "--transcript", str(transcript),
                                   "--model", "openai", "--base-url", stub.base_url])
        auth = {r.headers.get("authorization") for r in stub.chat_requests()}
    outputs += [done.output, done.stdout]
    assert done.exit_code == 0, done.output
    assert auth == {f"Bearer {SECRET}"}  # the key was really in use
    assert "refused the API key" in done.output  # the 401 said so, without quoting the key
    for fmt in ("json", "md", "csv", "html", "mermaid", "cjml"):
        exported = runner.invoke(app, ["export", str(map_path), "--format", fmt, "--output",
                                       str(out_dir / f"map.{fmt}")])
        assert exported.exit_code == 0, exported.output
        outputs.append(exported.output)
    session = done.stdout.split("session ")[1].split()[0]
    for args in (["sessions"], ["sessions", "show", session], ["lint", str(map_path)], ["review", str(map_path)]):
        shown = runner.invoke(app, args)
        assert shown.exit_code in (0, 1), shown.output
        outputs.append(shown.output)
    written = [p for p in [*Path.home().rglob("*"), *out_dir.rglob("*")] if p.is_file()]
    assert any(p.name.startswith("sessions.db") for p in written) and len(written) >= 8
    leaks = {str(p): found for p in written if (found := _leaks(p.read_bytes()))}
    assert leaks == {}
    assert _leaks(debug_log.read_bytes()) == [] and debug_log.stat().st_size > 1000  # DEBUG really logged
    assert _leaks(caplog.text.encode()) == []
    assert _leaks("\n".join(outputs).encode()) == []
    for record in caplog.records:  # arguments too: a handler with another format would print them
        assert _leaks(repr(record.args).encode() + str(record.msg).encode()) == []


def test_the_key_is_not_in_reprs_or_error_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeybot.llm.factory import make_chat_model
    from journeybot.llm.protocol import ModelError
    from journeybot.settings import load_settings

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = load_settings(model="openai", max_retries=0)
    assert _leaks((repr(settings) + str(settings.model_dump()) + settings.model_dump_json()).encode()) == []
    with StubOpenAI(lifetime=60) as stub:
        stub.set_default(Reply.error_status(400, f"invalid key {SECRET}", "x"))
        model = make_chat_model(load_settings(model="openai", base_url=stub.base_url, model_name="m", max_retries=0))
        assert model is not None
        with pytest.raises(ModelError) as caught:
            model.json([("user", "hi")], {"type": "object"})
    err = caught.value
    chain = [err.en, err.fr, str(err), repr(err), repr(model), repr(err.__context__), repr(err.__cause__)]
    assert _leaks("\n".join(chain).encode()) == []
