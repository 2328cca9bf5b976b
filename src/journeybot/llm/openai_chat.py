"""The one ChatModel implementation: LangChain's ChatOpenAI, for OpenAI, any compatible server and the
embedded llama.cpp server alike.

- ``json()`` sends ``response_format = {"type": "json_schema", ...}`` and returns the raw JSON text
  (validation is the caller's job); ``stream()`` yields text pieces.
- Retries are ours (the client's own are off): bounded by ``max_retries``, exponential backoff with
  jitter, Retry-After honoured on 429, and only for errors that may pass (429, 5xx, connection
  refused/reset, timeout; a timeout is retried once at most: it usually means the prompt is too long
  for the machine, and waiting again costs a full timeout).
- One deadline per answer (``answer_deadline``, seconds): every socket wait of the call, retries and
  backoff included, ends by it (llm/deadline.py), so a server that hangs or trickles one byte a second
  costs that long at most. A retry that would end after it is not started.
- Every failure becomes a ModelError with one plain French and English sentence. A cut-off answer or a
  body that is not JSON (or JSON nested too deep to read) is ``bad_output`` (marked retryable, not
  retried here: the caller decides).
- The API key lives in a SecretStr; it never appears in a message, a log line or a repr, and it is
  replaced by ``***`` in everything the server sends back (replies, streamed pieces, model names),
  so a server that echoes it cannot get it into the map, the database, a transcript or the screen.

LangChain is imported on first use, not when this module is imported.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from .deadline import answer_deadline, deadline_until, passed, remaining
from .protocol import Message, ModelError, Usage

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

log = logging.getLogger("journeybot.llm")

T = TypeVar("T")

MAX_DELAY = 30.0
"""Longest wait between two tries; a server asking for longer gets a rate_limited error at once."""


def display_url(url: str | None) -> str:
    """The URL as shown to a person: no user:password@, no query string (either may hold a secret)."""
    if not url:
        return "https://api.openai.com/v1"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "<invalid URL>"


_KEYLIKE = re.compile(r"\b(sk|pk|rk|key)-[A-Za-z0-9_\-*.]{3,}", re.IGNORECASE)

MIN_SECRET = 8
"""A key shorter than this is not a secret worth hiding in replies (\"local\", a test token): replacing
such a short word everywhere would damage the text."""
MASK = "***"


class KeyFilter:
    """Replaces a secret in streamed text, even when the server splits it across pieces.

    It holds back the end of the text that could be the start of the secret (a trailing run of the
    characters a key is made of), so what it lets through never holds the secret or a part of it."""

    def __init__(self, secret: str | None) -> None:
        self.secret = secret if secret and len(secret) >= MIN_SECRET else None
        self._held = ""
        if self.secret is not None:
            chars = re.escape("".join(sorted(set(self.secret))))
            self._tail = re.compile(f"[{chars}]*$")

    def redact(self, text: str) -> str:
        if self.secret is None:
            return text
        escaped = json.dumps(self.secret)[1:-1]  # the key as it appears inside a JSON string
        text = text.replace(self.secret, MASK)
        return text.replace(escaped, MASK) if escaped != self.secret else text

    def feed(self, piece: str) -> str:
        """The part of the stream so far that can be shown now."""
        if self.secret is None:
            return piece
        text = self._held + piece
        text = text.replace(self.secret, MASK)
        match = self._tail.search(text)
        cut = match.start() if match else len(text)
        self._held = text[cut:]
        return text[:cut]

    def flush(self) -> str:
        """What was held back, at the end of the stream."""
        text, self._held = self._held, ""
        return self.redact(text)


class OpenAIChatModel:
    """ChatModel over ChatOpenAI. Construction is cheap: the client is built on the first call."""

    def __init__(
        self,
        *,
        model: str,
        api_key: SecretStr | str,
        base_url: str | None = None,
        timeout: float = 120.0,
        max_retries: int = 3,
        name: str | None = None,
        backoff_base: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        json_temperature: float | None = None,
        answer_deadline: float | None = None,
        secret_key: bool = True,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.name = name or f"{model} @ {display_url(base_url)}"
        self.last_usage = Usage()
        self._api_key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self._backoff_base = backoff_base
        self._sleep = sleep
        self._jitter = jitter
        self.json_temperature = json_temperature
        """Sampling temperature for json() calls (None: the server's default). 0 makes extraction repeatable."""
        self.answer_deadline = answer_deadline
        """Seconds one answer may take, all tries included (None: only ``timeout`` between bytes)."""
        self._replies = KeyFilter(self._api_key.get_secret_value() if secret_key else None)
        self._llm: ChatOpenAI | None = None
        self._client_lock = threading.Lock()
        self._stream_usage = True
        self._max_tokens = 0
        self.retries_done = 0
        """How many retries the last call needed (for logs and benchmarks)."""

    def __repr__(self) -> str:
        return f"OpenAIChatModel(name={self.name!r}, model={self.model!r}, base_url={display_url(self.base_url)!r})"

    # --- the client --------------------------------------------------------------------------
    def _client(self) -> ChatOpenAI:
        with self._client_lock:  # the UI may call from two worker threads at once
            if self._llm is not None:
                return self._llm
            from langchain_openai import ChatOpenAI

            from .http_deadline import http_client

            self._llm = ChatOpenAI(
                model=self.model,
                api_key=self._api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,
                stream_usage=True,
                http_client=http_client(self.timeout),
            )
            return self._llm

    def list_models(self) -> list[str]:
        """The model ids the server lists (GET /models), with the same retries and error sentences."""
        client = self._client().root_client
        with answer_deadline(self.answer_deadline):
            page = self._with_retries(lambda: client.models.list())
        return [self._replies.redact(str(item.id)) for item in page.data]

    # --- the protocol ------------------------------------------------------------------------
    def json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512) -> str:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": _schema_name(schema), "schema": schema, "strict": _strict_ok(schema)},
        }
        lc_messages = _to_langchain(messages)
        self._max_tokens = max_tokens

        options: dict[str, Any] = {"response_format": response_format, "max_tokens": max_tokens}
        if self.json_temperature is not None:
            options["temperature"] = self.json_temperature

        def call() -> Any:
            return self._client().invoke(lc_messages, **options)

        with answer_deadline(self.answer_deadline):
            reply = self._with_retries(call)
        meta = dict(getattr(reply, "response_metadata", {}) or {})
        self.last_usage = _usage(getattr(reply, "usage_metadata", None), meta)
        content = self._replies.redact(_strip_fences(reply.content if isinstance(reply.content, str) else ""))
        finish = meta.get("finish_reason")
        try:
            json.loads(content)
        except RecursionError:
            raise _bad_output("the JSON is nested too deeply", "le JSON est trop imbriqué") from None
        except ValueError:
            if finish == "length":
                raise _bad_output(
                    f"the answer was cut off at {max_tokens} tokens",
                    f"la réponse a été coupée à {max_tokens} jetons",
                ) from None
            raise _bad_output("the answer is not valid JSON", "la réponse n'est pas du JSON valide") from None
        return content

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 400) -> Iterator[str]:
        return self._stream(_to_langchain(messages), max_tokens)

    def _stream(self, lc_messages: list[Any], max_tokens: int) -> Iterator[str]:
        self._max_tokens = max_tokens
        attempt = 0
        timeouts = 0
        self.retries_done = 0
        with answer_deadline(self.answer_deadline) as at:  # from the first piece asked for
            pass
        while True:
            yielded = False
            finish: str | None = None
            usage_meta: Any = None
            failure: ModelError | None = None
            delay: float | None = None
            shown = KeyFilter(self._replies.secret)
            try:
                # The reader may be another thread, between pieces: the deadline is set around each
                # step of the stream, not around the yield.
                with deadline_until(at):
                    stream = iter(self._client().stream(lc_messages, max_tokens=max_tokens,
                                                        stream_usage=self._stream_usage))
                while True:
                    with deadline_until(at):
                        chunk = next(stream, None)
                        if chunk is not None and passed():  # pieces already buffered count too
                            raise self._deadline_error()
                    if chunk is None:
                        break
                    reason = (chunk.response_metadata or {}).get("finish_reason")
                    if reason:
                        finish = str(reason)
                    if getattr(chunk, "usage_metadata", None):
                        usage_meta = chunk.usage_metadata
                    text = shown.feed(chunk.content if isinstance(chunk.content, str) else "")
                    if text:
                        yielded = True
                        yield text
                rest = shown.flush()
                if rest:
                    yielded = True
                    yield rest
            except Exception as err:
                with deadline_until(at):
                    failure = self._map_error(err)
                    if yielded and not (failure.kind == "timeout" and passed()):
                        # part of the answer is already shown: do not start it again
                        failure = _bad_output("the answer stopped in the middle",
                                              "la réponse s'est arrêtée au milieu")
                    elif not yielded:
                        delay = self._retry_delay(err, failure, attempt, timeouts)
            # Raised outside the except block: the client's exception (whose text may quote the server,
            # and a server may echo the key) stays off the ModelError's __context__.
            if failure is not None:
                if self._stream_usage and failure.kind == "other" and "stream_options" in failure.en:
                    self._stream_usage = False  # an older compatible server: stream without usage
                    continue
                if delay is None:
                    raise failure
                attempt, timeouts = self._note_retry(failure, attempt, timeouts, delay)
                continue
            if finish is None:
                raise _bad_output("the answer stopped in the middle", "la réponse s'est arrêtée au milieu")
            self.last_usage = _usage(usage_meta, {"finish_reason": finish})
            return

    # --- retries -----------------------------------------------------------------------------
    def _with_retries(self, call: Callable[[], T]) -> T:
        attempt = 0
        timeouts = 0
        self.retries_done = 0
        while True:
            try:
                return call()
            except Exception as err:
                failure = self._map_error(err)
                delay = self._retry_delay(err, failure, attempt, timeouts)
            if delay is None:  # raised outside the except block: see _stream
                raise failure
            attempt, timeouts = self._note_retry(failure, attempt, timeouts, delay)

    def _note_retry(self, error: ModelError, attempt: int, timeouts: int, delay: float) -> tuple[int, int]:
        log.info("model call failed (%s), retry %d of %d in %.1f s", error.kind, attempt + 1, self.max_retries, delay)
        self._sleep(delay)
        self.retries_done += 1
        return attempt + 1, timeouts + (error.kind == "timeout")

    def _retry_delay(self, err: Exception, error: ModelError, attempt: int, timeouts: int) -> float | None:
        """Seconds to wait before the next try, or None when this error must go to the caller."""
        if error.kind not in ("rate_limited", "server_error", "server_down", "timeout"):
            return None
        if attempt >= self.max_retries or (error.kind == "timeout" and timeouts >= 1):
            return None
        backoff = min(MAX_DELAY, self._backoff_base * 2.0**attempt) * (0.5 + self._jitter() / 2)
        wait = _retry_after(err)
        if wait is not None:
            if wait > MAX_DELAY:
                return None
            backoff = max(wait, backoff) if wait > 0 else backoff
        left = remaining()
        if left is not None and backoff >= left:  # the retry would start after the answer's deadline
            return None
        return backoff

    # --- errors ------------------------------------------------------------------------------
    def _redact(self, text: str) -> str:
        secret = self._api_key.get_secret_value()
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
        return _KEYLIKE.sub("***", text)

    def _map_error(self, err: Exception) -> ModelError:
        """One ModelError, with plain sentences, for whatever the client raised."""
        import openai

        if isinstance(err, ModelError):
            return err
        url = display_url(self.base_url)
        log.debug("model call error: %s", self._redact(f"{type(err).__name__}: {err}"))
        if isinstance(err, openai.APITimeoutError) and passed():
            return self._deadline_error()
        if isinstance(err, openai.APITimeoutError):
            return ModelError(
                "timeout",
                f"The model server at {url} did not answer within {self.timeout:g} s.",
                f"Le serveur de modèle {url} n'a pas répondu en {self.timeout:g} s.",
                retryable=True,
            )
        if isinstance(err, openai.LengthFinishReasonError):
            return _bad_output(
                f"the answer was cut off at {self._max_tokens} tokens",
                f"la réponse a été coupée à {self._max_tokens} jetons",
            )
        if isinstance(err, openai.ContentFilterFinishReasonError):
            return _bad_output("the server's content filter stopped the answer",
                               "le filtre de contenu du serveur a arrêté la réponse")
        if isinstance(err, openai.APIConnectionError):
            cause = _chain_text(err).lower()
            if "complete message body" in cause or "incomplete" in cause:
                return _bad_output("the answer stopped in the middle", "la réponse s'est arrêtée au milieu")
            return ModelError(
                "server_down",
                f"Cannot reach the model server at {url}.",
                f"Impossible de joindre le serveur de modèle {url}.",
                retryable=True,
            )
        if isinstance(err, openai.APIStatusError):
            return self._map_status(err, url)
        if isinstance(err, openai.APIResponseValidationError | ValueError | AttributeError | TypeError | KeyError):
            # The server answered something that is not an OpenAI reply (an HTML page, broken JSON...).
            return _bad_output(
                f"the server at {url} sent an answer that is not an OpenAI reply",
                f"le serveur {url} a envoyé une réponse qui n'est pas au format OpenAI",
            )
        return ModelError(
            "other",
            f"The model call failed ({type(err).__name__}).",
            f"L'appel au modèle a échoué ({type(err).__name__}).",
        )

    def _deadline_error(self) -> ModelError:
        url = display_url(self.base_url)
        seconds = self.answer_deadline or self.timeout
        return ModelError(
            "timeout",
            f"The model server at {url} gave no complete answer within the {seconds:g} s an answer may take.",
            f"Le serveur de modèle {url} n'a pas donné de réponse complète dans les {seconds:g} s "
            "qu'une réponse peut prendre.",
            retryable=True,
        )

    def _map_status(self, err: Any, url: str) -> ModelError:
        status = int(getattr(err, "status_code", 0) or 0)
        detail = self._redact(_server_message(err))[:200]
        if status == 429:
            wait = _retry_after(err)
            when_en = f" (it asks to wait {wait:g} s)" if wait else ""
            when_fr = f" (il demande d'attendre {wait:g} s)" if wait else ""
            return ModelError(
                "rate_limited",
                f"The model server at {url} is limiting requests{when_en}; try again shortly.",
                f"Le serveur de modèle {url} limite les requêtes{when_fr} ; réessayez dans un moment.",
                retryable=True,
            )
        if status >= 500:
            return ModelError(
                "server_error",
                f"The model server at {url} had an internal error (HTTP {status}).",
                f"Le serveur de modèle {url} a eu une erreur interne (HTTP {status}).",
                retryable=True,
            )
        if status in (401, 403):
            return ModelError(
                "no_key",
                f"The model server at {url} refused the API key (HTTP {status}): check OPENAI_API_KEY.",
                f"Le serveur de modèle {url} a refusé la clé d'API (HTTP {status}) : vérifiez OPENAI_API_KEY.",
            )
        if status == 404:
            return ModelError(
                "other",
                f"The model {self.model!r} was not found at {url}: check --model-name and --base-url.",
                f"Le modèle {self.model!r} est introuvable sur {url} : vérifiez --model-name et --base-url.",
            )
        code = str(getattr(err, "code", "") or "")
        if status in (400, 413) and ("context" in code or "context" in detail.lower() or status == 413):
            return ModelError(
                "context_too_long",
                "The conversation is too long for the model's context; shorten it or raise context_size.",
                "La conversation est trop longue pour le contexte du modèle ; raccourcissez-la ou "
                "augmentez context_size.",
            )
        return ModelError(
            "other",
            f"The model server at {url} rejected the request (HTTP {status}): {detail}",
            f"Le serveur de modèle {url} a refusé la requête (HTTP {status}) : {detail}",
        )


# --- helpers ---------------------------------------------------------------------------------
def _chain_text(err: BaseException) -> str:
    """The messages of an exception and of everything that caused it."""
    seen: list[str] = []
    current: BaseException | None = err
    while current is not None and len(seen) < 10:
        seen.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " | ".join(seen)


def _bad_output(en: str, fr: str) -> ModelError:
    return ModelError(
        "bad_output",
        f"The model's answer is unusable: {en}.",
        f"La réponse du modèle est inutilisable : {fr}.",
        retryable=True,
    )


def _server_message(err: Any) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return str(getattr(err, "message", "") or "")


def _retry_after(err: Any) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if it said so."""
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    try:
        millis = headers.get("retry-after-ms")
        if millis is not None:
            return max(0.0, float(millis) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


_FENCED = re.compile(r"^\s*```[A-Za-z]*\s*\n(.*?)\n?\s*```\s*$", re.DOTALL)


def _strip_fences(content: str) -> str:
    """The JSON inside a Markdown code fence (servers that ignore response_format often add one)."""
    match = _FENCED.match(content)
    return match.group(1).strip() if match else content


def _schema_name(schema: dict[str, Any]) -> str:
    title = str(schema.get("title") or "answer")
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", title).strip("_")[:64]
    return name or "answer"


def _strict_ok(schema: Any) -> bool:
    """True when the schema meets OpenAI's strict mode (every object closed, every property required)."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            props = schema.get("properties") or {}
            if schema.get("additionalProperties") is not False:
                return False
            if set(schema.get("required") or []) != set(props):
                return False
        return all(_strict_ok(v) for k, v in schema.items() if k not in ("required", "enum", "const", "default"))
    if isinstance(schema, list):
        return all(_strict_ok(v) for v in schema)
    return True


def _to_langchain(messages: Sequence[Message]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    out: list[Any] = []
    for role, text in messages:
        if role == "system":
            out.append(SystemMessage(content=text))
        elif role == "assistant":
            out.append(AIMessage(content=text))
        else:
            out.append(HumanMessage(content=text))
    return out


def _usage(usage_metadata: Any, meta: dict[str, Any]) -> Usage:
    prompt = completion = 0
    extra: dict[str, Any] = {}
    if isinstance(usage_metadata, dict):
        prompt = int(usage_metadata.get("input_tokens") or 0)
        completion = int(usage_metadata.get("output_tokens") or 0)
        cached = (usage_metadata.get("input_token_details") or {}).get("cache_read")
        if cached is not None:
            extra["cached_tokens"] = int(cached)
    if meta.get("finish_reason"):
        extra["finish_reason"] = meta["finish_reason"]
    if meta.get("model_name"):
        extra["model"] = meta["model_name"]
    return Usage(prompt_tokens=prompt, completion_tokens=completion, extra=extra)
