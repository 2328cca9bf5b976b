"""The embedded model server: llama.cpp's own server, run by xllamacpp inside this process.

It listens on 127.0.0.1 on a free port and speaks the OpenAI API, so the embedded model goes through
the same ChatOpenAI code path as OpenAI or any compatible server. One server per process: started
lazily (thread-safe), reused by every caller, stopped at exit or by ``shutdown()``.

`journeybot serve` starts it once for a whole workshop: ``parallel`` slots (requests read at once,
batched together; the others wait in arrival order) sharing ONE key-value cache of twice
``context_size`` tokens, behind a random key that only the participants' app processes get, so other
local programs cannot use it. Its memory is one model's plus that shared cache, whatever the number
of participants.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..extras import install_advice, install_command
from .protocol import ModelError

MODEL_ALIAS = "local"
RUNTIME_EXTRA = "gguf"
"""The extra that installs llama.cpp's runtime (xllamacpp) alone; [local] and [local-small] include it."""


def load_runtime() -> Any:
    """The xllamacpp module (llama.cpp in this process); ModelError("not_installed") with the install
    command when it is missing: it comes with the [local] extra, not with a plain install."""
    try:
        import xllamacpp
    except ImportError as err:
        how_en, how_fr = install_advice("local")
        alone = install_command(RUNTIME_EXTRA)
        detail = "" if isinstance(err, ModuleNotFoundError) and err.name == "xllamacpp" else f" ({err})"
        raise ModelError(
            "not_installed",
            f"The embedded model's runtime (llama.cpp, package xllamacpp) is not installed{detail}: {how_en} "
            f"(runtime and default model), or {alone} (runtime alone, for --model-path); "
            "or choose --model openai or --model none.",
            f"Le moteur du modèle embarqué (llama.cpp, paquet xllamacpp) n'est pas installé{detail} : {how_fr} "
            f"(moteur et modèle par défaut), ou {alone} (moteur seul, pour --model-path) ; "
            "ou choisissez --model openai ou --model none.",
        ) from None
    return xllamacpp


@dataclass
class LocalServer:
    """A running embedded server."""

    model_path: Path
    context_size: int
    """Tokens of context per slot (one conversation at a time per slot)."""
    threads: int
    base_url: str
    """The OpenAI base URL (ends with /v1)."""
    load_seconds: float
    parallel: int = 1
    """Slots: requests served at once, batched together."""
    _handle: Any = field(repr=False, default=None)

    @property
    def address(self) -> str:
        """The server's root address (without /v1), e.g. http://127.0.0.1:40123."""
        return self.base_url.removesuffix("/v1")


_lock = threading.Lock()
_server: LocalServer | None = None


def default_threads() -> int:
    """Every core this process may use (llama.cpp runs fastest with one thread per physical core)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


SHARED_CONTEXT_FACTOR = 2
"""The shared server's one cache holds this many times ``context_size`` tokens, for all its slots."""
SHARED_PROMPT_CACHE_MIB = 0
"""Host memory llama.cpp may keep for idle slots' prompt caches when shared: none (its default, 8 GiB,
is sized for a big server, not a laptop running a workshop; every participant's prompt starts with the
same instructions, which any slot's cache already holds)."""


def _start(model_path: Path, context_size: int, threads: int, parallel: int = 1,
           api_key: str | None = None) -> LocalServer:
    xllamacpp = load_runtime()
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.model_alias = {MODEL_ALIAS}
    params.n_ctx = context_size if parallel == 1 else context_size * SHARED_CONTEXT_FACTOR
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True
    params.verbosity = -1  # llama.cpp writes its logs to stderr: they would scribble over the terminal UI
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port
    params.cache_prompt = True  # reuse the KV cache of a prompt prefix sent again (stable system prompt)
    params.n_parallel = parallel
    if parallel > 1:
        params.kv_unified = True  # one cache for all slots, not parallel x context_size
        params.cache_ram_mib = SHARED_PROMPT_CACHE_MIB
    if api_key:
        params.api_keys = [api_key]
    params.ui = False
    started = time.perf_counter()
    try:
        handle = xllamacpp.Server(params)
        address = str(handle.listening_address).rstrip("/")
    except Exception as err:
        raise ModelError(
            "other",
            f"The embedded model could not start ({type(err).__name__}: {err}).",
            f"Le modèle embarqué n'a pas pu démarrer ({type(err).__name__} : {err}).",
        ) from None
    if not address.startswith("http"):
        address = "http://" + address
    return LocalServer(
        model_path=model_path,
        context_size=context_size,
        threads=threads,
        base_url=address + "/v1",
        load_seconds=time.perf_counter() - started,
        parallel=parallel,
        _handle=handle,
    )


def get_server(model_path: Path, *, context_size: int = 4096, threads: int | None = None, parallel: int = 1,
               api_key: str | None = None) -> LocalServer:
    """The process's embedded server for this model, started on first use.

    Asking for another model file, context size or number of slots stops the running server and
    starts a new one (one model in memory at a time). ``api_key``: requests must carry it.
    """
    global _server
    wanted_threads = threads or default_threads()
    with _lock:
        current = _server
        if current is not None and (
            current.model_path == model_path
            and current.context_size == context_size
            and current.threads == wanted_threads
            and current.parallel == parallel
        ):
            return current
        if current is not None:
            _stop(current)
            _server = None
        _server = _start(model_path, context_size, wanted_threads, parallel, api_key)
        return _server


def running() -> LocalServer | None:
    """The running server, if any (never starts one)."""
    return _server


def _stop(server: LocalServer) -> None:
    # xllamacpp stops listening and frees the model when its Server object is deallocated.
    server._handle = None
    gc.collect()


def shutdown() -> None:
    """Stop the embedded server (no-op when none runs). Safe to call more than once."""
    global _server
    with _lock:
        if _server is not None:
            _stop(_server)
            _server = None


atexit.register(shutdown)
