"""Load a workflow definition: YAML -> shipped schema -> semantic checks -> immutable model.

A definition is configuration, so every problem found here raises :class:`DefinitionError`
naming the file, line and column. :func:`check_document` returns every problem instead of
the first, for linters.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kl_contact.definition.build import build_workflow
from kl_contact.definition.document import load_yaml
from kl_contact.definition.lint import MAX_DOCUMENT_BYTES, lint_source, lint_text
from kl_contact.definition.model import Workflow
from kl_contact.errors import DefinitionError
from kl_contact.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "check_document",
    "default_workflow",
    "load_workflow",
    "parse_workflow",
]


def load_workflow(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Workflow:
    """Read and check the definition at ``path``."""
    path = Path(path)
    return parse_workflow(path.read_bytes(), source=str(path), limits=limits)


def default_workflow() -> Workflow:
    """The shipped default workflow (Russian and English), following the source document.

    The shipped document is checked by the library's own tests, so it is read and built
    without running the checks again: the first call costs the YAML reading alone.
    """
    return _default_workflow()


_cached_default: Workflow | None = None


def _default_workflow() -> Workflow:
    global _cached_default
    if _cached_default is None:
        data = (
            resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_bytes()
        )
        source = "kl_contact/definition/default_workflow.yaml"
        _cached_default = build_workflow(load_yaml(data, source).data, source)
    return _cached_default


def parse_workflow(
    text: str | bytes, source: str = "<string>", limits: Limits = DEFAULT_LIMITS
) -> Workflow:
    """Parse and check a definition given as YAML (or JSON) text, under ``limits``.

    The text is read once: the checks and the model both work on that one document.
    """
    findings, doc = lint_source(text, source, limits)
    problems = [f.to_error() for f in findings if f.severity == "error"]
    if problems:
        first = problems[0]
        first.others = tuple(problems[1:])
        raise first
    assert doc is not None  # a document that could not be read has an error
    return build_workflow(doc.data, source)


def check_document(
    text: str | bytes, source: str = "<string>", limits: Limits = DEFAULT_LIMITS
) -> list[DefinitionError]:
    """Every error of a definition (warnings left out); empty when it can be loaded.

    :func:`kl_contact.definition.lint.lint_text` gives the warnings too.
    """
    return [f.to_error() for f in lint_text(text, source, limits) if f.severity == "error"]
