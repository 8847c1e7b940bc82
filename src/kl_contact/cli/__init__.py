"""The ``kl-contact`` command: walk the workflow, lint definitions, check the schemas."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kl_contact.definition.loader import default_workflow, load_workflow
from kl_contact.errors import DefinitionError, KlContactError

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from kl_contact.cli.demo import (
        DEMO_SCRIPTS,
        DemoSupportBackend,
        interactive,
        load_script,
        print_json,
        run_script,
    )

    workflow = load_workflow(args.workflow) if args.workflow else default_workflow()
    backend = DemoSupportBackend()
    out = sys.stdout
    if args.all:
        results = []
        for number, name in enumerate(DEMO_SCRIPTS, start=1):
            print(f"######## demo {number}: {name} ########\n", file=out)
            transition = run_script(
                workflow,
                load_script(name),
                session_id=f"demo-{number}",
                backend=backend,
                out=out,
                quiet=args.json,
            )
            results.append(transition)
        print("######## summary ########", file=out)
        for transition in results:
            session = transition.session
            outcome = session.request_number or "resolved by an article, no request sent"
            print(f"{session.id}: {session.channel} ({session.locale}) -> {outcome}", file=out)
        return 0
    if args.answers:
        script = load_script(args.answers)
        ask = None
    elif sys.stdin.isatty():
        script = {}
        ask = interactive
    else:
        script = load_script(args.channel or "email")
        ask = None
    transition = run_script(
        workflow,
        script,
        session_id="demo-1",
        backend=backend,
        out=out,
        locale=args.locale,
        channel=args.channel,
        quiet=args.json,
        ask=ask,
    )
    if args.json:
        print_json(transition, out)
    return 0


def _lint(args: argparse.Namespace) -> int:
    from kl_contact.definition.lint import Finding, lint_text

    findings: list[Finding] = []
    for name in args.files:
        path = Path(name)
        try:
            findings.extend(lint_text(path.read_bytes(), source=str(path)))
        except OSError as exc:
            error = DefinitionError(
                exc.strerror or "cannot read", code="file.unreadable", source=str(path)
            )
            findings.append(Finding.from_error(error))
    if args.format == "json":
        doc = [
            {
                "file": f.source,
                "line": f.line,
                "column": f.column,
                "code": f.code,
                "message": f.message,
                "path": list(f.path),
                "hint": f.hint,
                "severity": f.severity,
            }
            for f in findings
        ]
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            print(finding)
        if not findings:
            print(f"{len(args.files)} file(s): no problems")
    return 1 if any(f.severity == "error" for f in findings) else 0


def _graph(args: argparse.Namespace) -> int:
    from kl_contact.definition.diagram import to_dot, to_mermaid

    workflow = load_workflow(args.file) if args.file else default_workflow()
    print(to_dot(workflow) if args.format == "dot" else to_mermaid(workflow), end="")
    return 0


def _paths(args: argparse.Namespace) -> int:
    from kl_contact.definition.paths import answers_for, flow_paths

    workflow = load_workflow(args.file) if args.file else default_workflow()
    for number, path in enumerate(flow_paths(workflow), start=1):
        print(f"path {number}: {path.describe()}")
        example = answers_for(workflow, path)
        if example is None:
            print("  no answers take this path")
        elif path.branches:
            given = [f"{k}={v}" for k, v in example.answers.items()]
            given += [f"channel={example.channel}"] if example.channel else []
            print(f"  for example: {', '.join(given) or 'any answers'}")
    return 0


def _schemas(args: argparse.Namespace) -> int:
    from kl_contact.schemas import SCHEMA_NAMES, load_schema, schema_dir

    if args.action == "path":
        print(schema_dir())
        return 0
    if args.action == "export":
        target = Path(args.dir)
        target.mkdir(parents=True, exist_ok=True)
        for name in SCHEMA_NAMES:
            (target / f"{name}.schema.json").write_text(
                json.dumps(load_schema(name), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        print(f"{len(SCHEMA_NAMES)} schemas written to {target}")
        return 0
    from kl_contact.schemas import check_shipped_schemas

    problems = check_shipped_schemas()
    for problem in problems:
        print(problem)
    print(f"{len(SCHEMA_NAMES)} schemas checked: {len(problems)} problem(s)")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kl-contact``."""
    parser = argparse.ArgumentParser(prog="kl-contact", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="walk the workflow end to end")
    demo.add_argument(
        "--locale", choices=None, help="the session's locale (ru or en in the default workflow)"
    )
    demo.add_argument("--channel", help="email, chat or phone")
    demo.add_argument("--answers", help="a YAML answers file, or the name of a shipped example")
    demo.add_argument("--json", action="store_true", help="print the final transition as JSON")
    demo.add_argument(
        "--all",
        action="store_true",
        help="walk every shipped example (e-mail, chat, phone, helped)",
    )
    demo.add_argument("--workflow", help="a workflow definition file (default: the shipped one)")
    demo.set_defaults(func=_demo)

    lint = sub.add_parser("lint", help="check workflow definitions")
    lint.add_argument("files", nargs="+")
    lint.add_argument("--format", choices=["text", "json"], default="text")
    lint.set_defaults(func=_lint)

    graph = sub.add_parser("graph", help="draw a workflow's steps and routes")
    graph.add_argument("file", nargs="?", help="a definition (default: the shipped one)")
    graph.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    graph.set_defaults(func=_graph)

    paths = sub.add_parser("paths", help="list every path from the start to an end")
    paths.add_argument("file", nargs="?", help="a definition (default: the shipped one)")
    paths.set_defaults(func=_paths)

    schemas = sub.add_parser("schemas", help="the shipped JSON Schemas")
    schemas.add_argument("action", choices=["check", "export", "path"])
    schemas.add_argument("dir", nargs="?", default="schemas-export")
    schemas.set_defaults(func=_schemas)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kl-contact`` with ``argv``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.func(args)
    except DefinitionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KlContactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
