"""Diagrams of a workflow's flow, as Mermaid or Graphviz DOT text.

Both read the compiled flow's table of ways out (:mod:`kl_contact.definition.flow`), the
table the engine's transition looks up and ``kl-contact paths`` walks, so a diagram can
never disagree with what the engine does. Steps are
boxes, the ends (confirmation, resolved) are rounded, and each arrow carries the condition
that takes it. Nothing here renders an image or does I/O: the text is the output.
"""

from __future__ import annotations

from kl_contact.definition.flow import compile_flow
from kl_contact.definition.model import TERMINAL_KINDS, Step, Workflow

__all__ = ["to_dot", "to_mermaid"]


def _caption(step: Step) -> str:
    return f"{step.id} ({step.kind.value})"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return text.replace("&", "#amp;").replace('"', "#quot;")


def to_mermaid(workflow: Workflow) -> str:
    """A Mermaid ``flowchart`` of ``workflow``.

    >>> from kl_contact import default_workflow
    >>> to_mermaid(default_workflow()).splitlines()[0]
    'flowchart TD'
    """
    lines = ["flowchart TD"]
    for step in workflow.steps:
        caption = _mermaid_text(_caption(step))
        shape = '(["{}"])' if step.kind in TERMINAL_KINDS else '["{}"]'
        lines.append(f"    {step.id}{shape.format(caption)}")
    for item in compile_flow(workflow).moves:
        label = item.label
        arrow = f' -->|"{_mermaid_text(label)}"| ' if label else " --> "
        lines.append(f"    {item.source}{arrow}{item.target}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    """Text safe inside a double-quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(workflow: Workflow) -> str:
    """A Graphviz ``digraph`` of ``workflow``."""
    lines = [
        f'digraph "{_dot_text(workflow.id)}" {{',
        "    rankdir=TB;",
        '    node [shape=box, fontname="sans-serif"];',
        '    edge [fontname="sans-serif"];',
    ]
    for step in workflow.steps:
        style = ", style=rounded, peripheries=2" if step.kind in TERMINAL_KINDS else ""
        lines.append(f'    "{step.id}" [label="{_dot_text(_caption(step))}"{style}];')
    for item in compile_flow(workflow).moves:
        label = f' [label="{_dot_text(item.label)}"]' if item.label else ""
        lines.append(f'    "{item.source}" -> "{item.target}"{label};')
    lines.append("}")
    return "\n".join(lines) + "\n"
