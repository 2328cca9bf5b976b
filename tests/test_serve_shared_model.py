"""`journeybot serve` with the embedded model (the 0.5B test model): ONE model for the whole workshop.

The serve process loads the weights once; every participant's app talks to that server (its address
and key in the app's environment) and maps no weights of its own; the shared server refuses requests
without its key; a participant's answer is read by the model. Run under `flock /work/model.lock`."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.served import Participant, Served

pytestmark = pytest.mark.slow


def environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def maps_weights(pid: int) -> bool:
    return ".gguf" in Path(f"/proc/{pid}/maps").read_text(errors="replace")


def proposals(home: Path) -> list[str]:
    db = sqlite3.connect(home / "jb" / "data" / "sessions.db", timeout=30)
    try:
        return [json.loads(row[0])["source"] for row in db.execute("SELECT body FROM proposals")]
    finally:
        db.close()


def test_participants_share_one_model(tmp_path: Path) -> None:
    env = {"JOURNEYBOT_HOME": str(tmp_path / "jb"), "JOURNEYBOT_ANSWER_DEADLINE": "600",
           "JOURNEYBOT_REQUEST_TIMEOUT": "600"}
    # a remark no cue word labels: the model is asked about it (the rules read the rest)
    answer = "Nous voulons comprendre pourquoi tant de demandes de devis n'aboutissent pas. C'est une longue histoire."

    async def two(served: Served) -> list[int]:
        async with Participant(served) as first, Participant(served) as second:
            for p in (first, second):
                await p.screen_shows("Cadrage", "Modèle prêt", "shared", timeout=300)
            apps = [pid for pid in served.processes() if pid != served.proc.pid]  # type: ignore[union-attr]
            await first.type(answer)
            for _ in range(2400):  # the rules' draft replaced by the model's reading (a loaded machine)
                if "model" in proposals(tmp_path):
                    break
                await asyncio.sleep(0.25)
            return apps

    with Served(tmp_path, "--max-sessions", "2", model="local-small", lang="fr", env=env,
                start_timeout=600) as served:
        assert served.proc is not None
        assert maps_weights(served.proc.pid)  # the model is loaded once, in the serve process
        apps = asyncio.run(two(served))
        assert len(apps) == 2
        assert not any(maps_weights(pid) for pid in apps)  # no app loaded weights of its own
        app_env = [environment(pid) for pid in apps]
        urls = {e["JOURNEYBOT_LOCAL_SERVER_URL"] for e in app_env}
        assert len(urls) == 1  # the same server for both
        url = urls.pop()
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(url + "/chat/completions", data=json.dumps(
            {"model": "local", "messages": [{"role": "user", "content": "bonjour"}], "max_tokens": 2}).encode(),
            headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)
        assert refused.value.code == 401  # other local programs cannot use the workshop's model
    assert proposals(tmp_path) == ["model"]
