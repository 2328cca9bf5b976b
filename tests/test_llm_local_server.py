"""The embedded server's failure path, without a real model (the real start is in test_llm_real_model)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from journeybot.llm import local_server
from journeybot.llm.protocol import ModelError


def test_a_file_that_is_not_a_model_gives_a_plain_error(tmp_path: Path) -> None:
    bogus = tmp_path / "broken.gguf"
    bogus.write_bytes(os.urandom(200_000))
    with pytest.raises(ModelError) as info:
        local_server.get_server(bogus, context_size=2048, threads=1)
    assert info.value.kind == "other"
    assert "could not start" in info.value.en and "n'a pas pu démarrer" in info.value.fr
    assert local_server.running() is None
    local_server.shutdown()  # harmless when nothing runs


def test_default_threads_uses_the_cores_this_process_may_use() -> None:
    assert 1 <= local_server.default_threads() <= (os.cpu_count() or 1)
