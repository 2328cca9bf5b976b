"""Settings: command-line flag > environment (JOURNEYBOT_*) > config.toml in the user's config dir.

The API key is a SecretStr: it is read from the environment (or the TOML file) and never written
anywhere by journeybot: not in the database, logs, transcripts or exports.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_origin

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from . import paths
from .errors import BadInput
from .i18n import Lang

Backend = Literal["local", "local-small", "openai", "none"]
Embeddings = Literal["use", "e5", "openai"]

ENV_PREFIX = "JOURNEYBOT_"
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "base_url": ("JOURNEYBOT_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("JOURNEYBOT_API_KEY", "OPENAI_API_KEY"),
}
"""Environment variables read for a field, first found wins (otherwise JOURNEYBOT_<FIELD>)."""


class Settings(BaseModel):
    """Validated settings. Build them with load_settings(), which reads the three sources; a plain
    ``Settings(...)`` holds exactly what it is given (tests)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, validate_default=True)

    model: Backend = Field(default="local", description="which model answers: local, local-small, openai, none")
    model_name: str | None = Field(default=None, description="model name on an OpenAI-compatible server")
    model_path: Path | None = Field(
        default=None,
        description="a GGUF file of your own for the embedded llama.cpp (instead of the packaged weights)",
    )
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("base_url", "JOURNEYBOT_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible server (vLLM, Ollama, llama.cpp); implies the openai backend",
    )
    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("api_key", "JOURNEYBOT_API_KEY", "OPENAI_API_KEY")
    )
    lang: Lang = "fr"
    embeddings: Embeddings = "use"
    chroma_url: str | None = Field(default=None, description="use a shared Chroma server instead of the local store")
    extra_docs: list[Path] = Field(default_factory=list, description="folders of your own method documents")
    request_timeout: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    context_size: int = Field(default=4096, ge=1024, le=32768)
    threads: int | None = Field(default=None, ge=1, le=256)
    answer_deadline: float = Field(
        default=60.0, gt=0, le=3600,
        description="seconds the model may take for one answer, every try included; then the rules read it",
    )
    breaker_failures: int = Field(
        default=3, ge=0, le=100,
        description="model failures in a row before the interview pauses the model (0: never pause it)",
    )
    breaker_cooldown: float = Field(default=60.0, gt=0, le=86400,
                                    description="seconds before a paused model is tried again")
    local_server_url: str | None = Field(
        default=None, description="the embedded model already served here (set by `journeybot serve`)",
    )
    local_server_key: SecretStr | None = Field(default=None, description="the key of that shared server")
    embeddings_url: str | None = Field(
        default=None, description="the embedding model already served here (set by `journeybot serve`)",
    )
    embeddings_key: SecretStr | None = Field(default=None, description="the key of that shared service")
    workdir: Path | None = Field(
        default=None, description="served mode: /import and /export only inside this folder",
    )
    participant: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="served mode: the browser this app serves (it sees only its own sessions)",
    )

    @field_validator("model", "lang", "embeddings", mode="before")
    @classmethod
    def _as_typed(cls, value: Any) -> Any:
        """" EN" is "en": a choice is read the way people type it, in any case."""
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def backend(self) -> Backend:
        """The backend actually used. Without an explicit model: a GGUF file (model_path) means the
        embedded llama.cpp, else a base URL means an OpenAI-compatible server."""
        if "model" not in self.model_fields_set and self.model_path is None and self.base_url:
            return "openai"
        return self.model


class SettingsError(BadInput):
    """Settings that cannot be used; the message is one plain sentence per problem."""


def _from_environment() -> dict[str, Any]:
    """JOURNEYBOT_<FIELD> (any case) and the aliases of ENV_ALIASES; list values are JSON."""
    environ = {k.upper(): v for k, v in os.environ.items()}
    found: dict[str, Any] = {}
    for name, field in Settings.model_fields.items():
        for var in ENV_ALIASES.get(name, (ENV_PREFIX + name.upper(),)):
            if var in environ:
                value: Any = environ[var]
                if get_origin(field.annotation) is list:
                    try:
                        value = json.loads(value)
                    except json.JSONDecodeError:
                        raise SettingsError(f"{var}: not a JSON list ({value[:80]!r})") from None
                found[name] = value
                break
    return found


def _from_config_file() -> dict[str, Any]:
    path = paths.config_file()
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {k: v for k, v in data.items() if k in Settings.model_fields}


def load_settings(**flags: Any) -> Settings:
    """Settings from flags (None means 'not given') > the environment > config.toml."""
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        merged = {**_from_config_file(), **_from_environment(), **given}
        return Settings.model_validate(merged)
    except ValidationError as err:
        lines = [f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in err.errors()]
        raise SettingsError("; ".join(lines)) from None
    except (OSError, ValueError) as err:  # an unreadable or malformed config.toml
        raise SettingsError(f"{paths.config_file()}: {err}") from None
