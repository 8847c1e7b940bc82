"""The ``kl-contact`` command: walk the workflow, lint definitions, validate documents.

Every failure is one line on standard error with a code and a hint (see
:mod:`kl_contact.cli.errors`); ``--json`` prints results, and errors, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from kl_contact.cli.errors import (
    CommandError,
    from_definition_error,
    from_os_error,
    from_usage_error,
    report,
)
from kl_contact.definition.loader import default_workflow, load_workflow
from kl_contact.definition.model import Workflow
from kl_contact.definition.suggestions import did_you_mean
from kl_contact.errors import DefinitionError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from kl_contact.cli.demo import Ask

__all__ = ["TRACEBACK_VARIABLE", "main"]

TRACEBACK_VARIABLE = "KL_CONTACT_TRACEBACK"
"""Set to ``1`` to let an unexpected exception show its traceback instead of one line."""


def _demo(args: argparse.Namespace) -> int:
    from kl_contact.cli.demo import (
        DEMO_SCRIPTS,
        DemoSupportBackend,
        load_script,
        print_json,
        run_script,
    )

    workflow = _workflow(args.workflow)
    locale = _known("locale", args.locale, workflow.locales)
    channel = _known("channel", args.channel, [c.id for c in workflow.channels])
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
            found = session.follow_up.request
            if found is not None:
                outcome = f"followed up {found.request_number}: {session.follow_up.status}"
            print(f"{session.id}: {session.channel} ({session.locale}) -> {outcome}", file=out)
        if not args.json:
            print("Walk it yourself on a terminal: kl-contact demo --locale en", file=out)
        return 0
    ask = None
    if args.answers:
        script = load_script(args.answers)
    elif sys.stdin.isatty() and sys.stdout.isatty() and not args.json:
        script = {}
        ask, locale = _terminal_user(workflow, locale, channel, out)
    else:
        script = load_script(channel or "email")
    transition = run_script(
        workflow,
        script,
        session_id="demo-1",
        backend=backend,
        out=out,
        locale=locale,
        channel=channel,
        quiet=args.json,
        ask=ask,
    )
    if args.json:
        print_json(transition, out)
    return 0


def _terminal_user(
    workflow: Workflow, locale: str | None, channel: str | None, out: TextIO
) -> tuple[Ask, str]:
    """The person at the terminal, and the language they chose (``--locale`` or asked)."""
    try:
        from kl_contact.cli.terminal import TerminalUser, choose_locale, language_line
    except ImportError:
        raise CommandError(
            "demo.needs_cli_extra",
            "the interactive demo needs the optional extra 'cli' (questionary)",
            "pip install 'kl-contact[cli]', or walk an example: kl-contact demo --answers email",
        ) from None
    if locale is None:
        locale = choose_locale(workflow.locales, workflow.default_locale)
    print(language_line(locale, workflow.locales), file=out)
    return TerminalUser(channel=channel, out=out), locale


def _known(what: str, given: str | None, known: Sequence[str]) -> str | None:
    """``given`` when it is one of ``known`` (or absent); else a one-line error."""
    if given is None or given in known:
        return given
    listed = ", ".join(known)
    hint = did_you_mean(given, known, f"choose one of {listed}") or listed
    raise CommandError(f"{what}.unknown", f"the workflow has no {what} {given[:40]!r}", hint)


def _workflow(path: str | None) -> Workflow:
    """The definition at ``path``, or the shipped one."""
    if path is None:
        return default_workflow()
    try:
        return load_workflow(path)
    except OSError as exc:
        raise from_os_error(exc, path, "workflow file") from None


def _lint(args: argparse.Namespace) -> int:
    from kl_contact.definition.lint import Finding, lint_text

    findings: list[Finding] = []
    for name in args.files:
        path = Path(name)
        try:
            findings.extend(lint_text(path.read_bytes(), source=str(path)))
        except OSError as exc:
            failure = from_os_error(exc, name)
            error = DefinitionError(
                failure.message, code="file.unreadable", source=str(path), hint=failure.hint
            )
            findings.append(Finding.from_error(error))
    if args.json:
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


def _validate(args: argparse.Namespace) -> int:
    from kl_contact.cli.validate import validate_files

    problems = validate_files(args.kind, args.files)
    if args.json:
        print(json.dumps([p.document() for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        bad = len({p.file for p in problems})
        print(
            f"{len(args.files)} file(s) checked against {args.kind}.schema.json: "
            f"{len(args.files) - bad} valid, {bad} with problems"
        )
    return 1 if problems else 0


def _graph(args: argparse.Namespace) -> int:
    from kl_contact.definition.diagram import to_dot, to_mermaid

    workflow = _workflow(args.file)
    print(to_dot(workflow) if args.format == "dot" else to_mermaid(workflow), end="")
    return 0


def _paths(args: argparse.Namespace) -> int:
    from kl_contact.definition.paths import answers_for, flow_paths

    workflow = _workflow(args.file)
    listed = []
    for number, path in enumerate(flow_paths(workflow), start=1):
        example = answers_for(workflow, path)
        listed.append(
            {
                "path": path.describe(),
                "answers": None if example is None else dict(example.answers),
                "channel": None if example is None else example.channel,
            }
        )
        if args.json:
            continue
        print(f"path {number}: {path.describe()}")
        if example is None:
            print("  no answers take this path")
        elif path.branches:
            given = [f"{k}={v}" for k, v in example.answers.items()]
            given += [f"channel={example.channel}"] if example.channel else []
            print(f"  for example: {', '.join(given) or 'any answers'}")
    if args.json:
        print(json.dumps(listed, ensure_ascii=False, indent=2))
    return 0


def _schemas(args: argparse.Namespace) -> int:
    from kl_contact.schemas import SCHEMA_NAMES, load_schema, schema_dir

    if args.action == "path":
        print(schema_dir())
        return 0
    if args.action == "export":
        target = Path(args.dir)
        try:
            target.mkdir(parents=True, exist_ok=True)
            for name in SCHEMA_NAMES:
                (target / f"{name}.schema.json").write_text(
                    json.dumps(load_schema(name), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8",
                )
        except OSError as exc:
            raise CommandError(
                "file.unwritable",
                f"cannot write to {args.dir} ({exc.strerror or type(exc).__name__})",
                "name a folder you may write to",
            ) from None
        print(f"{len(SCHEMA_NAMES)} schemas written to {target}")
        return 0
    from kl_contact.schemas import check_shipped_schemas

    problems = check_shipped_schemas()
    if args.json:
        print(json.dumps({"checked": len(SCHEMA_NAMES), "problems": problems}, indent=2))
    else:
        for problem in problems:
            print(problem)
        print(f"{len(SCHEMA_NAMES)} schemas checked: {len(problems)} problem(s)")
    return 1 if problems else 0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one-line :class:`CommandError` values."""

    def error(self, message: str) -> NoReturn:
        raise CommandError("usage.invalid", message, f"see {self.prog} --help")


_DESCRIPTION = """\
Walk the support contact workflow, check workflow definitions and the documents a frontend
sends or receives against the shipped JSON Schemas.
"""

_EPILOG = """\
examples:
  kl-contact demo                      walk the journey on a terminal, with arrow keys
  kl-contact demo --answers email      walk a shipped example (email, chat, phone, helped,
                                       in-product, follow_up)
  kl-contact lint my_workflow.yaml     check a definition, with file:line:column findings
  kl-contact validate session s.json   check documents against a shipped schema

Every error is one line: kl-contact: error: CODE: message; hint: what to do.
Exit status: 0 fine, 1 problems found (or Ctrl-D), 2 wrong use, 70 a bug, 130 Ctrl-C.
"""


def _json_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kl-contact``."""
    from kl_contact.cli.validate import KINDS

    parser = _Parser(
        prog="kl-contact",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="walk the workflow end to end",
        description="Walk the workflow from self-service to the request number: on a "
        "terminal it asks you (needs the 'cli' extra); otherwise, or with --answers, it "
        "follows an answers file.",
    )
    demo.add_argument(
        "--locale", metavar="CODE", help="the language (ru or en in the shipped workflow)"
    )
    demo.add_argument(
        "--channel", metavar="ID", help="choose this channel without asking: email, chat or phone"
    )
    demo.add_argument(
        "--answers",
        metavar="FILE",
        help="a YAML answers file, or a shipped example: "
        "email, chat, phone, helped, in-product, follow_up",
    )
    _json_option(demo, "the final transition (transition.schema.json)")
    demo.add_argument(
        "--all",
        action="store_true",
        help="walk every shipped example (e-mail, chat, phone, helped, in-product, follow_up)",
    )
    demo.add_argument(
        "--workflow", metavar="FILE", help="a workflow definition (default: the shipped one)"
    )
    demo.set_defaults(func=_demo)

    lint = sub.add_parser(
        "lint", help="check workflow definitions", description="Check workflow definitions."
    )
    lint.add_argument("files", nargs="+", metavar="FILE", help="a workflow definition (YAML)")
    lint.add_argument(
        "--format", choices=["text", "json"], default="text", help="the same as --json when json"
    )
    _json_option(lint, "the findings")
    lint.set_defaults(func=_lint)

    validate = sub.add_parser(
        "validate",
        help="check documents against a shipped schema",
        description="Check JSON or YAML documents against the shipped schema of their kind; "
        "each problem names the file, line, column and the JSON pointer of the value.",
    )
    validate.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    validate.add_argument("files", nargs="+", metavar="FILE", help="a JSON or YAML document")
    _json_option(validate, "the problems")
    validate.set_defaults(func=_validate)

    graph = sub.add_parser("graph", help="draw a workflow's steps and routes")
    graph.add_argument("file", nargs="?", help="a definition (default: the shipped one)")
    graph.add_argument(
        "--format", choices=["mermaid", "dot"], default="mermaid", help="the diagram language"
    )
    graph.set_defaults(func=_graph)

    paths = sub.add_parser("paths", help="list every path from the start to an end")
    paths.add_argument("file", nargs="?", help="a definition (default: the shipped one)")
    _json_option(paths, "the paths and example answers")
    paths.set_defaults(func=_paths)

    schemas = sub.add_parser("schemas", help="the shipped JSON Schemas")
    schemas.add_argument(
        "action",
        choices=["check", "export", "path"],
        help="check them, export them to DIR, or print their folder",
    )
    schemas.add_argument(
        "dir", nargs="?", default="schemas-export", help="where export writes them"
    )
    _json_option(schemas, "the result of check")
    schemas.set_defaults(func=_schemas)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kl-contact`` with ``argv``; returns the exit status.

    No exception leaves this function: every failure is printed as one line (see
    :mod:`kl_contact.cli.errors`) and turned into the exit status.
    """
    as_json = "--json" in (sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "format", None) == "json" and args.command == "lint":
            args.json = True
        status: int = args.func(args)
        sys.stdout.flush()
    except CommandError as exc:
        return report(exc, sys.stderr, as_json=as_json)
    except DefinitionError as exc:
        return report(from_definition_error(exc), sys.stderr, as_json=as_json)
    except UsageError as exc:
        return report(from_usage_error(exc), sys.stderr, as_json=as_json)
    except KeyboardInterrupt:
        print("\nkl-contact: interrupted (Ctrl-C); nothing was sent", file=sys.stderr)
        return 130
    except EOFError:
        print("\nkl-contact: input ended (Ctrl-D); nothing was sent", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``| head``): write nothing more to it, and say so once.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        error = CommandError(
            "output.closed",
            "the output was closed before everything was written",
            "read the whole output, or write it to a file",
            status=1,
        )
        return report(error, sys.stderr, as_json=as_json)
    except Exception as exc:  # a bug: still one line, and the way to see more
        if os.environ.get(TRACEBACK_VARIABLE) == "1":
            raise
        error = CommandError(
            "internal.error",
            f"unexpected {type(exc).__name__}",
            f"this is a bug in kl-contact: run again with {TRACEBACK_VARIABLE}=1 and report it",
            status=70,
        )
        return report(error, sys.stderr, as_json=as_json)
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
