"""The default workflow's diagram in docs/diagram.md, drawn from the definition itself.

The diagram is Mermaid text built from the same data the engine reads (steps, ``next``,
``routes``, ``on_helped``), never a hand-drawn copy. tests/test_docs_site.py fails when the
page and the definition disagree; ``python tests/docs_diagram.py`` rewrites the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from kl_contact import Workflow, default_workflow
from kl_contact.definition import conditions as c
from kl_contact.definition.model import StepKind

PAGE = Path(__file__).resolve().parents[1] / "docs" / "diagram.md"
BLOCK = re.compile(r"(<!-- diagram:start -->\n)(.*?)(<!-- diagram:end -->)", re.S)


def describe(condition: c.Condition) -> str:
    """A short English reading of a route's condition, for an edge label."""
    match condition:
        case c.AllOf(conditions):
            return " and ".join(describe(part) for part in conditions)
        case c.AnyOf(conditions):
            return " or ".join(describe(part) for part in conditions)
        case c.NotCondition(inner):
            return f"not ({describe(inner)})"
        case c.AnswerEquals(question, value):
            return f"{question} = {str(value).lower() if isinstance(value, bool) else value}"
        case c.AnswerIn(question, values):
            return f"{question} in {', '.join(values)}"
        case c.AnswerAnswered(question, answered):
            return f"{question} {'answered' if answered else 'not answered'}"
        case c.ChannelIs(channels):
            return "channel " + " or ".join(channels)
        case c.LocaleIs(locales):
            return "locale " + " or ".join(locales)
        case _:
            return type(condition).__name__


def mermaid(workflow: Workflow, locale: str = "en") -> str:
    """The flowchart of ``workflow``: a node per step, an edge per way out of it."""
    lines = ["flowchart TD"]
    ends = {StepKind.CONFIRMATION, StepKind.RESOLVED}
    for step in workflow.steps:
        title = step.title.get(locale, step.id).replace('"', "'")
        label = f"{title}<br/><small>{step.id} · {step.kind.value}</small>"
        lines.append(
            f'    {step.id}(["{label}"])' if step.kind in ends else f'    {step.id}["{label}"]'
        )
    for step in workflow.steps:
        for route in step.routes:
            lines.append(f'    {step.id} -->|"{describe(route.when)}"| {route.to}')
        if step.on_helped:
            lines.append(f'    {step.id} -->|"an article helped"| {step.on_helped}')
        if step.next:
            lines.append(f"    {step.id} --> {step.next}")
    return "\n".join(lines) + "\n"


def expected_page(text: str) -> str:
    """``text`` (the page) with its diagram block drawn from the default workflow."""
    fence = "```mermaid\n" + mermaid(default_workflow()) + "```\n"
    return BLOCK.sub(lambda m: m.group(1) + fence + m.group(3), text)


if __name__ == "__main__":
    PAGE.write_text(expected_page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
