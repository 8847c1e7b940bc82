"""Every shipped YAML document reads the same with libyaml and with PyYAML's pure reader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kl_contact.definition import document

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "src" / "kl_contact").rglob("*.yaml"))


def test_the_shipped_documents_are_found() -> None:
    names = {path.name for path in SHIPPED}
    assert {"default_workflow.yaml", "privacy.yaml", "chat.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_both_readers_give_the_same_data(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pure = yaml.load(text, Loader=yaml.SafeLoader)
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML has no libyaml")  # pragma: no cover
    assert yaml.load(text, Loader=yaml.CSafeLoader) == pure


def test_the_variable_selects_the_pure_reader() -> None:
    chosen = document._MarkingLoader.__mro__[1]
    pure = os.environ.get(document.PURE_YAML_VARIABLE) == "1"
    assert (chosen is yaml.SafeLoader) is (pure or not hasattr(yaml, "CSafeLoader"))
    script = (
        "from kl_contact.definition import document; import yaml; "
        "from kl_contact import default_workflow; default_workflow(); "
        "print(document._MarkingLoader.__mro__[1] is yaml.SafeLoader)"
    )
    env = {**os.environ, document.PURE_YAML_VARIABLE: "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"


def test_a_key_that_is_no_scalar_or_is_repeated_is_refused_where_it_is_written() -> None:
    from kl_contact import DefinitionError, parse_workflow

    for text, code, line, column in (
        ("a: 1\n? [x, y]\n: 2\n", "yaml.bad_key", 2, 3),
        ("a: 1\nb:\n  c: 1\n  c: 2\n", "yaml.duplicate_key", 4, 3),
    ):
        with pytest.raises(DefinitionError) as refused:
            parse_workflow(text)
        assert (refused.value.code, refused.value.line, refused.value.column) == (
            code,
            line,
            column,
        )
