"""The ``vmrules`` command: check a request, replay a trace, list rules, print schemas and the default world.

A shell over the library (``execute``/``check``/``settle``/``advance``, the rule catalogue, world snapshots);
the core never imports it. Exit status: 0 success, 1 a request is refused (``check``) or a trace step did not
go as expected (``run``), 2 bad usage or a bad input file (one line on stderr). See docs/cli.md.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from vmrules.catalogue import CATALOGUE, EFFECT_CATALOGUE, EFFECTS, RULES, effects_for, rules_for
from vmrules.cli.inputs import InputError, dumps, load_world, read_request, read_text, write_json
from vmrules.cli.render import Progress, effect_lines, rule_json, rule_lines, step_line, violation_lines
from vmrules.cli.trace import check_advances, parse_trace, run_trace
from vmrules.engine import check, execute
from vmrules.operations import OPERATION_TABLE

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

# Commands that live in other packages of vmrules. Each module has ``main(argv) -> int`` with its own argument
# parser (prog ``vmrules NAME``); ``vmrules NAME ARGS...`` hands ARGS to it unchanged. A command whose module is
# not in this build is left out of the help and refused with exit 2.
EXTENSIONS: dict[str, tuple[str, str]] = {
    "serve": ("vmrules.server", "run the local JD Cloud VM REST emulator over the engine (docs/emulator.md)"),
    "conform": ("vmrules.testing.conformance", "test a JD Cloud VM implementation against the reference "
                "(docs/conformance.md)"),
}
UNKNOWN_FIELD = "REQUEST.UNKNOWN_FIELD"
LONG_TRACE = 20  # traces with at least this many steps show a progress bar when stderr is a terminal


class UsageError(Exception):
    """A bad command line that argparse cannot detect (unknown operation, conflicting ``-``)."""


def _operation(name: str) -> str:
    if name in OPERATION_TABLE:
        return name
    close = difflib.get_close_matches(name, list(OPERATION_TABLE), n=1)
    hint = f" (did you mean {close[0]}?)" if close else " (see `vmrules rules` for the operations)"
    raise UsageError(f"unknown operation {name!r}{hint}")


# ---- commands -------------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    op = _operation(args.operation)
    if args.request == "-" and args.world == "-":
        raise UsageError("the request and --world cannot both be read from stdin (-)")
    world = load_world(args.world)
    params = read_request(args.request)
    strict = not args.lenient
    errors = check(world, op, params, caller=args.caller, strict=strict)
    if errors:
        if args.json:
            for n, error in enumerate(errors, start=1):
                out.write(dumps({"requestId": f"vmrules-check-{n}", "error": error.to_wire()}, indent=None) + "\n")
        else:
            out.write(f"{op}: {len(errors)} violation{'' if len(errors) == 1 else 's'}\n")
            for error in errors:
                entry = CATALOGUE.get(error.rule)
                for line in violation_lines(error, entry.rule if entry else None):
                    out.write(line + "\n")
            if any(e.rule == UNKNOWN_FIELD for e in errors):
                out.write("note: the API itself ignores parameter names it does not define; vmrules check refuses "
                          "them because they are usually misspellings (--lenient ignores them too)\n")
        return EXIT_FAILED
    outcome = execute(world, op, params, caller=args.caller, strict=strict)
    if args.json:
        out.write(dumps(outcome.to_response("vmrules-check-1"), indent=None) + "\n")
    else:
        out.write(f"ok\n{dumps(outcome.result)}\n")
    return EXIT_OK if outcome.ok else EXIT_FAILED


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    if args.trace == "-" and args.world == "-":
        raise UsageError("the trace and --world cannot both be read from stdin (-)")
    if args.out == "-":
        raise UsageError("--out takes a file name: the steps are printed on stdout")
    name = "<stdin>" if args.trace == "-" else args.trace
    steps = parse_trace(read_text(args.trace), name)
    world = load_world(args.world)
    check_advances(world, steps, name)
    progress = Progress(sys.stderr, len(steps), len(steps) >= LONG_TRACE and _is_terminal(sys.stderr))
    failed = None
    try:
        for done, report in enumerate(run_trace(world, steps), start=1):
            world = report.world
            progress.clear()
            if args.json:
                out.write(dumps(_report_json(report), indent=None) + "\n")
            else:
                out.write(step_line(report) + "\n")
            out.flush()
            if report.mismatch is not None:
                failed = report
                break
            progress.draw(done)
    except InputError as exc:  # a step that could not run: FILE:LINE, and the world as it was before that step
        progress.clear()
        if args.out is not None:
            write_json(args.out, world.to_dict())
        raise InputError(f"{name}:{exc}") from None
    progress.clear()
    if args.out is not None:
        write_json(args.out, world.to_dict())
    if failed is not None:
        if not args.json:
            out.write(f"FAILED at {name}:{failed.step.line} ({failed.step.op}): {failed.mismatch}\n")
        return EXIT_FAILED
    if not args.json:
        out.write(f"ok: {len(steps)} step{'' if len(steps) == 1 else 's'}, all as expected\n")
    return EXIT_OK


def _report_json(report: Any) -> dict[str, Any]:
    outcome = report.outcome
    body: dict[str, Any] = {"line": report.step.line, "op": report.step.op}
    if outcome is None:
        body["summary"] = report.summary
    else:
        body["response"] = outcome.to_response(f"vmrules-run-{report.step.line}")
        if outcome.error is not None:
            body["rule"] = outcome.error.rule
            body["field"] = outcome.error.field
    body["asExpected"] = report.mismatch is None
    if report.mismatch is not None:
        body["mismatch"] = report.mismatch
    return body


def cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    rules = rules_for(_operation(args.op)) if args.op is not None else RULES
    if args.json:
        out.write(dumps([rule_json(r) for r in rules]) + "\n")
        return EXIT_OK
    for r in rules:
        for line in rule_lines(r):
            out.write(line + "\n")
    out.write(f"{len(rules)} rule{'' if len(rules) == 1 else 's'}\n")
    if args.op is not None:  # what the operation does when every rule holds
        return cmd_effects(args, out)
    return EXIT_OK


def cmd_spec(args: argparse.Namespace, out: TextIO) -> int:
    from vmrules.docgen.machine import operation_spec, spec_document

    document = operation_spec(_operation(args.op)) if args.op is not None else spec_document()
    if args.json:
        out.write(dumps(document) + "\n")
        return EXIT_OK
    for op in [document] if args.op is not None else document["operations"]:
        out.write(f"{op['name']}  {op['method']} {op['path']}  {len(op['rules'])} rules, {len(op['effects'])} "
                  f"effects, errors {', '.join(str(e['code']) + ' ' + e['status'] for e in op['errors'])}\n")
    return EXIT_OK


def cmd_effects(args: argparse.Namespace, out: TextIO) -> int:
    effects = effects_for(_operation(args.op)) if args.op is not None else EFFECTS
    if args.json:
        out.write(dumps([EFFECT_CATALOGUE[e.id].as_json() for e in effects]) + "\n")
        return EXIT_OK
    for e in effects:
        for line in effect_lines(e):
            out.write(line + "\n")
    out.write(f"{len(effects)} effect{'' if len(effects) == 1 else 's'}\n")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    if sum((args.world, args.openapi, args.operation is not None)) != 1:
        raise UsageError("give one of OPERATION, --openapi or --world")
    # --strict and --regions-of shape a request schema: with anything else they would be silently ignored
    shaping = [name for name, given in (("--strict", args.strict), ("--regions-of", args.regions_of is not None))
               if given]
    if shaping and (args.world or args.openapi or args.result):
        other = "--world" if args.world else "--openapi" if args.openapi else "--result"
        raise UsageError(f"{shaping[0]} shapes an operation's request schema; it does not go with {other}")
    if args.result and (args.world or args.openapi):
        raise UsageError("--result is an operation's result schema; it does not go with "
                         f"{'--world' if args.world else '--openapi'}")
    if args.world:
        from vmrules.snapshot import world_schema_text

        out.write(world_schema_text())  # byte for byte docs/world-schema.json
        return EXIT_OK
    if args.openapi:
        from vmrules.schema import openapi_text

        out.write(openapi_text())  # byte for byte docs/openapi.json
        return EXIT_OK
    from vmrules.schema import request_schema, result_schema

    operation = _operation(args.operation)
    if args.result:
        out.write(dumps(result_schema(operation)) + "\n")
        return EXIT_OK
    regions = sorted(load_world(args.regions_of).regions) if args.regions_of else None  # the same text every run
    out.write(dumps(request_schema(operation, strict=args.strict, regions=regions)) + "\n")
    return EXIT_OK


def cmd_world(args: argparse.Namespace, out: TextIO) -> int:
    out.write(dumps(load_world(None).to_dict()) + "\n")
    return EXIT_OK


# ---- parser and entry point -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vmrules",
        description="The executable reference semantics of the JD Cloud VM API v1: check requests against a "
        "world, replay traces, list the rules.",
        epilog="Exit status: 0 ok, 1 refused / a step not as expected, 2 bad usage or input file. "
        "See docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="validate one request against a world",
                       description="Validate a request: every rule violation with its seed sentence, or ok and "
                       "the result the operation would return. Exit 0 valid, 1 refused.")
    p.add_argument("operation", metavar="OPERATION", help="an API operation name, e.g. createInstances")
    p.add_argument("request", metavar="REQUEST.json", help="the request parameters as a JSON object (- for stdin)")
    p.add_argument("--world", metavar="WORLD.json", help="world snapshot (default: the embedded default world)")
    p.add_argument("--caller", metavar="PIN", help="the calling account (default: the world's default account)")
    p.add_argument("--json", action="store_true", help="print the API response envelope(s), one per line")
    p.add_argument("--lenient", action="store_true",
                   help="ignore parameter names the operation does not define, as the API does (default: refuse "
                   "them as REQUEST.UNKNOWN_FIELD, with a did-you-mean)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("run", help="replay a trace (JSON Lines) and check each step's outcome",
                       description="Replay a trace, one step a line; stop at the first step whose outcome differs "
                       "from its expect. Exit 0 all as expected, 1 otherwise.")
    p.add_argument("trace", metavar="TRACE.jsonl", help="the trace (- for stdin)")
    p.add_argument("--world", metavar="WORLD.json", help="world snapshot to start from (default: embedded)")
    p.add_argument("--out", metavar="FINAL.json", help="write the world after the last step run as a snapshot")
    p.add_argument("--json", action="store_true", help="print one JSON object per step")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("rules", help="list the rule catalogue", description="List rules with their status, "
                       "field, statement and source.")
    p.add_argument("--op", metavar="OPERATION", help="only the rules one operation checks, in precedence order")
    p.add_argument("--json", action="store_true", help="print the rules as a JSON array")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("effects", help="list the effects: what operations do when they succeed",
                       description="List effects (defaults, status changes, removals, visibility) with their "
                       "statement and source.")
    p.add_argument("--op", metavar="OPERATION", help="only the effects one operation declares")
    p.add_argument("--json", action="store_true", help="print the effects as a JSON array")
    p.set_defaults(func=cmd_effects)

    p = sub.add_parser("spec", help="the machine-readable spec: every operation's rules, effects, defaults, errors",
                       description="Print the machine-readable spec (the content of docs/spec.json): per operation "
                       "its rules in precedence order, effects, defaults, status changes and error codes.")
    p.add_argument("--op", metavar="OPERATION", help="only one operation")
    p.add_argument("--json", action="store_true", help="print JSON (else one summary line per operation)")
    p.set_defaults(func=cmd_spec)

    p = sub.add_parser("schema", help="print the JSON Schema of a request, the OpenAPI document, or the world "
                       "snapshot's schema", description="JSON Schema 2020-12 of an operation's request, "
                       "generated from the request model and the rule data: API names as titles, rule statements "
                       "as descriptions, enums, ranges, steps, lengths and patterns.")
    p.add_argument("operation", metavar="OPERATION", nargs="?", help="the operation whose request to describe")
    p.add_argument("--strict", action="store_true",
                   help="additionalProperties false at every level, as `vmrules check` (default: names the API "
                   "does not define are allowed, as the API ignores them)")
    p.add_argument("--regions-of", metavar="WORLD.json",
                   help="make regionId an enum of this world's regions (default: any region)")
    p.add_argument("--result", action="store_true", help="the schema of the operation's result instead")
    p.add_argument("--openapi", action="store_true", help="the OpenAPI 3.1 document of all 35 operations")
    p.add_argument("--world", action="store_true", help="the world snapshot's schema instead")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("world", help="print the embedded default world snapshot",
                       description="Print the default world as a snapshot, to start your own from.")
    p.set_defaults(func=cmd_world)

    for name, (module, summary) in EXTENSIONS.items():
        if _available(module):
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def _available(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _run_extension(name: str, argv: list[str]) -> int:
    module_name, _ = EXTENSIONS[name]
    if not _available(module_name):
        sys.stderr.write(f"vmrules {name}: error: this build of vmrules has no {name} command\n")
        return EXIT_BAD_INPUT
    from importlib import import_module

    entry = getattr(import_module(module_name), "main")  # noqa: B009 - the module's documented entry point
    status: int = entry(argv)
    return status


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vmrules")
    except PackageNotFoundError:
        return "unknown"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in EXTENSIONS:
        return _run_extension(arguments[0], arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        status: int = args.func(args, sys.stdout)
        sys.stdout.flush()
    except (InputError, UsageError) as exc:
        sys.stdout.flush()
        sys.stderr.write(f"vmrules {args.command}: error: {exc}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (``vmrules rules | head``): not an error worth a traceback.
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    return status


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


__all__ = ["build_parser", "main"]
