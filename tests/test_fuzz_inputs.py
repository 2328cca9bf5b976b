"""Bad input, generated (hypothesis): answer files, evidence CSV files, map files given to the CLI, and what
a user types or pastes into the chat. Every case ends in a clear error or a valid result, never a
traceback; the CLI exits with 2 on bad input; nothing the user typed is lost.

(Map JSON itself is fuzzed at the library level in tests/test_map_file_property.py.)"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import dump_map, load_map, parse_map_text
from journeybot.evidence import EvidenceImportError, add_evidence, read_evidence_csv
from journeybot.evidence.csv_import import HEADERS
from journeybot.interview.headless import AnswerFile, AnswerFileError, load_answers
from journeybot.interview.session import MAX_MODEL_CHARS, Interview, clean_text
from journeybot.method.model import PHASE_IDS
from journeybot.store import SessionStore

runner = CliRunner()
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])
NO_TRACE = re.compile(r"Traceback|File \"[^\"]+\", line \d+")

# --- answer files -------------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=40), st.dates())
answer_values = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.text(max_size=120), scalars), max_size=4),
    scalars,
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
)
phase_keys = st.one_of(st.sampled_from(PHASE_IDS), st.text(max_size=12))
answer_docs = st.one_of(
    st.fixed_dictionaries({"answers": st.dictionaries(phase_keys, answer_values, max_size=5)},
                          optional={"lang": st.one_of(st.sampled_from(["fr", "en", "de", ""]), scalars),
                                    "title": st.one_of(st.text(max_size=400), scalars),
                                    "extra": scalars}),
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                     max_size=3), max_leaves=8),
)


def _answer_bytes(doc: Any, encoding: str) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True).encode(encoding, "replace")


@fuzz(200)
@given(doc=answer_docs, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_any_answer_file_is_answers_or_a_clear_error(tmp_path_factory: pytest.TempPathFactory, doc: Any,
                                                     encoding: str) -> None:
    path = tmp_path_factory.mktemp("ans") / "a.yaml"
    path.write_bytes(_answer_bytes(doc, encoding))
    try:
        loaded = load_answers(path, "en")
    except AnswerFileError as err:
        message = str(err)
        assert message and str(path) in message and not NO_TRACE.search(message)
        return
    assert isinstance(loaded, AnswerFile)
    assert set(loaded.answers) <= set(PHASE_IDS)
    assert all(isinstance(a, str) and a for texts in loaded.answers.values() for a in texts)


@fuzz(150)
@given(raw=st.binary(max_size=400))
def test_any_bytes_as_an_answer_file_are_answers_or_a_clear_error(tmp_path_factory: pytest.TempPathFactory,
                                                                  raw: bytes) -> None:
    path = tmp_path_factory.mktemp("ans") / "a.yaml"
    path.write_bytes(raw)
    try:
        load_answers(path, "fr")
    except AnswerFileError as err:
        assert str(err).startswith(str(path))


@fuzz(25)
@given(doc=answer_docs, raw=st.binary(max_size=200), use_raw=st.booleans())
def test_the_interview_command_exits_0_or_2_and_never_shows_a_traceback(
        tmp_path_factory: pytest.TempPathFactory, doc: Any, raw: bytes, use_raw: bool) -> None:
    folder = tmp_path_factory.mktemp("cli")
    path, out = folder / "a.yaml", folder / "m.json"
    path.write_bytes(raw if use_raw else _answer_bytes(doc, "utf-8"))
    done = runner.invoke(app, ["interview", "--answers", str(path), "--out", str(out), "--model", "none"])
    assert done.exit_code in (0, 2), (done.exit_code, done.output, repr(done.exception))
    assert not NO_TRACE.search(done.output)
    if done.exit_code == 0:
        load_map(out)
    else:
        assert not out.exists() and done.output.strip()


# --- evidence CSV ------------------------------------------------------------------------------

header_names = st.one_of(st.sampled_from([h for names in HEADERS.values() for h in names[:4]]),
                         st.sampled_from(["Texte du verbatim", "Note /10", "Date de création", "NPS", "Canal"]),
                         st.text(max_size=10))
cells = st.one_of(st.text(max_size=80), st.sampled_from(["", "=1+1", "-3", "+33 6 12", "@SUM(A1)", "10/10",
                                                         "9,5", "2026-11-23", "23/11/2026", "\x00\x1b[31m",
                                                         "a\nb", "\"quoted\"", ";", ","]))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(1, 5))
    header = draw(st.lists(header_names, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
                        lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()):  # a broken line: unbalanced quotes, stray delimiters
        text += draw(st.sampled_from(['"unclosed;text\n', ';;;\n', '\x00\x00\n', '"a""b\n']))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "shift_jis", "utf-32"]))
    data = text.encode(encoding, "replace")
    if draw(st.integers(0, 9)) == 0:  # cut in the middle of a character
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    return data


def _valid_import(journey: JourneyMap, raw: bytes) -> None:
    try:
        result = read_evidence_csv(raw, name="fuzz.csv")
    except EvidenceImportError as err:
        for lang in ("fr", "en"):
            message = err.message(lang)
            assert message and not NO_TRACE.search(message)
        return
    updated, added, _duplicates = add_evidence(journey, result.items)
    assert len(added) <= len(result.items) <= 10_000
    assert parse_map_text(dump_map(updated)) == updated  # the map with the evidence saves and loads
    for item in added:
        assert item.provenance == "customer" and item.text.strip()
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", item.text)
    for lang in ("fr", "en"):
        result.messages(lang)  # type: ignore[arg-type]


@fuzz(250)
@given(raw=csv_files())
def test_any_evidence_csv_is_evidence_or_a_clear_error(raw: bytes) -> None:
    _valid_import(JourneyMap(lang="fr"), raw)


@fuzz(150)
@given(raw=st.binary(max_size=600))
@example(raw=b"\xff\xfet")  # a UTF-16 file cut mid-character (was a UnicodeDecodeError traceback)
def test_any_bytes_as_evidence_are_evidence_or_a_clear_error(raw: bytes) -> None:
    _valid_import(JourneyMap(lang="en"), raw)


@fuzz(20)
@given(raw=st.one_of(csv_files(), st.binary(max_size=300)))
def test_the_evidence_command_exits_0_or_2_and_never_shows_a_traceback(tmp_path_factory: pytest.TempPathFactory,
                                                                       raw: bytes) -> None:
    folder = tmp_path_factory.mktemp("ev")
    map_path, csv_path = folder / "m.json", folder / "e.csv"
    map_path.write_text(dump_map(JourneyMap(lang="fr", title="fuzz")), encoding="utf-8")
    csv_path.write_bytes(raw)
    done = runner.invoke(app, ["evidence", "import", str(csv_path), "--map", str(map_path)])
    assert done.exit_code in (0, 2), (done.exit_code, done.output, repr(done.exception))
    assert not NO_TRACE.search(done.output)
    load_map(map_path)  # the map is still a valid map, changed or not


# --- map files given to every command that reads one ------------------------------------------


@fuzz(30)
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode()),
                     st.sampled_from([b"{}", b"[]", b"null", b'{"stages": [{}]}', b'{"schema_version": 99}',
                                      b"\xef\xbb\xbf{}", codecs.BOM_UTF16_LE + "{}".encode("utf-16-le")])),
       command=st.sampled_from(["lint", "review", "export"]))
def test_commands_reading_a_map_exit_cleanly_on_any_bytes(tmp_path_factory: pytest.TempPathFactory, raw: bytes,
                                                          command: str) -> None:
    path = tmp_path_factory.mktemp("map") / "m.json"
    path.write_bytes(raw)
    args = [command, str(path)] + (["--format", "md", "--output", str(path.with_suffix(".md"))]
                                   if command == "export" else [])
    done = runner.invoke(app, args)
    assert done.exit_code in (0, 1, 2), (done.exit_code, done.output, repr(done.exception))
    assert not NO_TRACE.search(done.output)


# --- the chat: control characters and huge pastes --------------------------------------------

typed = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "Cc", "Cf", "So")), max_size=300)


@fuzz(60)
@given(texts=st.lists(typed, min_size=1, max_size=4), phase=st.sampled_from(PHASE_IDS))
def test_whatever_is_typed_is_stored_clean_and_the_map_stays_valid(tmp_path_factory: pytest.TempPathFactory,
                                                                  texts: list[str], phase: str) -> None:
    store = SessionStore(tmp_path_factory.mktemp("chat") / "s.db")
    try:
        interview = Interview.start(store, lang="fr")
        interview.opening()
        interview.enter_phase(phase)
        expected = []
        for text in texts:
            cleaned, stripped = clean_text(text)
            reply = interview.submit(text)
            assert reply.text
            if stripped:
                assert reply.notices
            if reply.pending is not None:
                expected.append(cleaned)
                interview.accept(interview.run_extraction(reply.pending).proposal)
            assert parse_map_text(store.session(interview.session_id).map_json) == interview.journey
        stored = [m.text for m in interview.messages() if m.role == "user" and m.kind == "answer"]
        assert stored == expected
        for m in interview.messages():
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", m.text)
    finally:
        store.close()


@pytest.mark.parametrize("phase", ["evidence", "touchpoints", "pain_points", "framing"])
def test_a_one_megabyte_paste_with_control_characters_is_kept_whole(tmp_path: Path, phase: str) -> None:
    from journeybot.llm.factory import make_chat_model
    from journeybot.settings import load_settings
    from tests.support.stub_openai import StubOpenAI

    unit = "Étape achat : l'appel\x07 au service client a duré 40 minutes\x1b[0m ; « inadmissible » \u202e!\n"
    paste = (unit * (1_048_576 // len(unit) + 1))[:1_048_576]
    cleaned, stripped = clean_text(paste)
    assert stripped and len(cleaned) > 1_000_000
    store = SessionStore(tmp_path / "s.db")
    with StubOpenAI(lifetime=60) as stub:
        model = make_chat_model(load_settings(model="openai", base_url=stub.base_url, model_name="m", max_retries=0))
        try:
            interview = Interview.start(store, lang="fr", model=model)
            interview.opening()
            interview.enter_phase("stages")
            interview.accept(interview.run_extraction(interview.submit("Besoin ; achat ; usage").pending).proposal)  # type: ignore[arg-type]
            interview.enter_phase(phase)
            reply = interview.submit(paste)
            assert reply.pending is not None and reply.pending.truncated and len(reply.pending.text) == MAX_MODEL_CHARS
            assert any("1 0" in n for n in reply.notices) and len(reply.notices) == 2  # stripped + truncated
            interview.accept(interview.run_extraction(reply.pending).proposal)
            stored = [m.text for m in interview.messages() if m.role == "user" and m.kind == "answer"]
            assert stored[-1] == cleaned  # everything, minus the control characters
            requests = stub.chat_requests()
            # the model is asked only about what the rules could not place; in framing they leave it parts
            assert requests or phase != "framing"
            for request in requests:  # and it reads a bounded part
                assert len(request.body["messages"][-1]["content"]) < MAX_MODEL_CHARS + 2_000
            journey = parse_map_text(store.session(interview.session_id).map_json)
            assert journey == interview.journey and [s.name for s in journey.stages][:3] == ["Besoin", "Achat", "Usage"]
            resumed = Interview.resume(store, interview.session_id)
            assert [m.text for m in resumed.messages() if m.role == "user" and m.kind == "answer"][-1] == cleaned
        finally:
            store.close()


def test_the_answer_of_an_interview_file_of_one_megabyte_is_kept(tmp_path: Path) -> None:
    paste = ("Verbatim : le conseiller ne rappelle jamais. " * 25_000)[:1_000_000]
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump({"lang": "fr", "answers": {"evidence": [paste]}}, allow_unicode=True),
                    encoding="utf-8")
    out, transcript = tmp_path / "m.json", tmp_path / "t.md"
    done = runner.invoke(app, ["interview", "--answers", str(path), "--out", str(out), "--model", "none",
                               "--transcript", str(transcript)])
    assert done.exit_code == 0, done.output
    assert paste.strip() in transcript.read_text(encoding="utf-8").replace("\n> ", "\n")
    assert load_map(out).evidence
