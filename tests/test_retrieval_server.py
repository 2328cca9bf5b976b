"""Shared server mode: the same index and retriever code against a real `chroma run` server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeybot.knowledge import retriever as retriever_module
from journeybot.knowledge.errors import KnowledgeError
from journeybot.knowledge.index import KnowledgeIndex
from journeybot.knowledge.retriever import open_retriever
from journeybot.settings import load_settings
from tests.test_knowledge_index import _offline  # noqa: F401  (autouse: offline, no default Chroma embeddings)

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, url: str, proc: subprocess.Popen[bytes]):
        self.url = url
        self.proc = proc

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[Server]:
    chroma = Path(sys.executable).parent / "chroma"
    assert chroma.exists(), f"the chroma command is missing from the virtualenv ({chroma})"
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    server = Server(url, proc)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"chroma run exited: {(tmp_path / 'chroma.log').read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "chroma run did not answer within 60 s"
            time.sleep(0.2)
        yield server
    finally:
        server.stop()
        log.close()


def test_index_and_search_through_a_chroma_server(chroma_server: Server, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "builtin", builtin)
    settings = load_settings(chroma_url=chroma_server.url)
    index = KnowledgeIndex(settings, builtin_dir=builtin)
    assert index.location == chroma_server.url
    retriever = open_retriever(settings, index=index)
    assert retriever.report is not None and len(retriever.report.added) == 6
    best = retriever.search("Pourquoi un seul persona par carte ?", lang="fr", pitfall="multiple-personas", k=1)
    assert (best[0].doc_id, best[0].lang) == ("persona", "fr")
    # nothing was written to the local store
    assert not (Path(os.environ["JOURNEYBOT_HOME"]) / "data" / "chroma").exists()

    # a second client (another user of the shared server) sees the index as up to date...
    (builtin / "en" / "persona.md").unlink()
    doc = builtin / "fr" / "persona.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("Une carte suit une seule personne type",
                                                           "Une carte suit une seule cycliste urbaine"),
                   encoding="utf-8")
    second = KnowledgeIndex(settings, builtin_dir=builtin).sync()
    assert second.unchanged == 4 and second.removed == ["builtin:en/persona.md"]
    assert second.updated == ["builtin:fr/persona.md"]
    # ...and the first client's retriever picks the changes up at its next check
    monkeypatch.setattr(retriever_module, "SERVER_CHECK_SECONDS", 0.0)
    updated = retriever.search("cycliste urbaine", k=1)[0]
    assert "cycliste urbaine" in updated.text
    assert all(p.lang == "fr" for p in retriever.search("persona", pitfall="multiple-personas", k=4))


def test_server_that_goes_away_is_a_clear_error(chroma_server: Server) -> None:
    settings = load_settings(chroma_url=chroma_server.url)
    retriever = open_retriever(settings, index=KnowledgeIndex(settings, builtin_dir=FIXTURES / "builtin"))
    assert retriever.search("persona", k=1)
    chroma_server.stop()
    with pytest.raises(KnowledgeError, match="cannot be reached") as err:
        retriever.search("persona", k=1)
    assert "injoignable" in err.value.fr and "JOURNEYBOT_CHROMA_URL" in err.value.en
    with pytest.raises(KnowledgeError, match="cannot be reached"):
        KnowledgeIndex(settings, builtin_dir=FIXTURES / "builtin").sync()


@pytest.mark.parametrize("url", ["ftp://x:1", "http://127.0.0.1:99999"])
def test_bad_server_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(KnowledgeError, match="JOURNEYBOT_CHROMA_URL") as err:
        KnowledgeIndex(load_settings(chroma_url=url), builtin_dir=FIXTURES / "builtin").sync()
    assert err.value.bad_input
