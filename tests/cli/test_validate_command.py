"""``kl-contact validate KIND FILE...``: every shipped schema, JSON or YAML, with pointers."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from conftest import NOW
from kl_contact import ChooseChannel, Continue, Engine, Next, default_workflow
from kl_contact.cli import main
from kl_contact.cli.validate import KINDS, json_pointer
from kl_contact.schemas import SCHEMA_NAMES
from kl_contact.wire import dump_transition

DOCUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
START = {"start": {"session_id": "s-1", "now": "2026-11-25T10:00:00+00:00", "locale": "en"}}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["validate", *argv])
    return status, capsys.readouterr().out


def _demo_transition(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["demo", "--answers", "email", "--json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def test_every_shipped_schema_but_the_shared_one_is_a_kind() -> None:
    assert set(KINDS) == set(SCHEMA_NAMES) - {"common"}


FIXTURES = sorted(DOCUMENTS.glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_the_shared_fixtures_get_their_verdict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, path: Path
) -> None:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    file = _write(tmp_path, path.name, fixture["document"])
    status, out = _run(capsys, fixture["schema"], file)
    assert status == (0 if fixture["valid"] else 1), out
    if fixture["valid"]:
        assert out.strip().endswith("1 valid, 0 with problems")
    else:
        first = out.splitlines()[0]
        assert first.startswith(f"{file}:")
        assert ": schema." in first


def _valid_documents(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """A valid document of each kind the shared fixtures do not cover, made by the library."""
    transition = _demo_transition(capsys)
    engine = Engine(default_workflow())
    t = engine.start(session_id="v-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("chat"), NOW)
    answers = {"product": "plus", "platform": "windows", "category": "activation"}
    t = engine.handle(t.session, Next({**answers, "subject": "Code not accepted"}), NOW)
    search = dump_transition(t)["effects"][0]
    assert search["type"] == "search_articles"
    return {
        "transition": transition,
        "effect": search,
        "answers": {"channel": "chat", "locale": "en", "answers": answers},
        "wire": START,
    }


@pytest.mark.parametrize("kind", ["transition", "effect", "answers", "wire"])
def test_valid_and_broken_documents_of_each_other_kind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    document = _valid_documents(capsys)[kind]
    good = _write(tmp_path, "good.json", document)
    assert _run(capsys, kind, good)[0] == 0
    broken = json.loads(json.dumps(document))
    if kind == "answers":
        broken["answers"] = "plus"
    elif kind == "wire":
        broken["start"]["now"] = "yesterday"
    elif kind == "effect":
        broken["type"] = "launch_rockets"
    else:
        broken["view"]["kind"] = 7
    bad = _write(tmp_path, "bad.json", broken)
    status, out = _run(capsys, kind, bad)
    assert status == 1
    assert out.splitlines()[0].startswith(f"{bad}:")


def test_yaml_documents_the_workflow_and_the_catalog(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    workflow = resources.files("kl_contact.definition").joinpath("default_workflow.yaml")
    catalog = resources.files("kl_contact.articles").joinpath("sample", "privacy.yaml")
    assert _run(capsys, "workflow", str(workflow))[0] == 0
    assert _run(capsys, "catalog", str(catalog))[0] == 0
    text = Path(str(workflow)).read_text(encoding="utf-8")
    broken = tmp_path / "w.yaml"
    broken.write_text(text.replace("  - id: faq\n", "  - id: Frequently-Asked\n"), "utf-8")
    status, out = _run(capsys, "workflow", str(broken))
    assert status == 1
    line = out.splitlines()[0]
    # file:line:column, the code, the plain-language rule and the JSON pointer
    number = text.splitlines().index("  - id: faq") + 1
    assert line.startswith(f"{broken}:{number}:9: schema.pattern: not an id: a lowercase letter")
    assert line.endswith("(at /self_service/2/id)")


def test_several_files_json_output_and_unreadable_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.json", START)
    bad = _write(tmp_path, "bad.json", {"start": {"session_id": "s-1", "now": "yesterday"}})
    syntax = tmp_path / "syntax.json"
    syntax.write_text('{"start": ', encoding="utf-8")
    missing = str(tmp_path / "missing.json")
    status = main(["validate", "wire", good, bad, str(syntax), missing, "--json"])
    assert status == 1
    problems = json.loads(capsys.readouterr().out)
    assert {p["file"] for p in problems} == {bad, str(syntax), missing}
    assert {p["code"] for p in problems if p["file"] != bad} == {"yaml.syntax", "file.not_found"}
    assert all(set(p) == {"file", "line", "column", "pointer", "code", "message"} for p in problems)
    assert [p["pointer"] for p in problems if p["file"] == bad] == ["/start/now"]


def test_messages_never_quote_the_value(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    secret = "maria.secret@example.com"
    document = {"start": {"session_id": "s-1", "now": secret}}
    status, out = _run(capsys, "wire", _write(tmp_path, "a.json", document))
    assert status == 1
    assert secret not in out
    assert "not an ISO 8601 date and time" in out
    assert "(at /start/now)" in out


def test_json_pointer_escapes_slash_and_tilde() -> None:
    assert json_pointer(()) == ""
    assert json_pointer(("steps", 2, "id")) == "/steps/2/id"
    assert json_pointer(("a/b", "c~d")) == "/a~1b/c~0d"
