"""The vmrules conform command line."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from vmrules.defaults import MAIN, NORTH, SECOND
from vmrules.testing.adapters import SystemAdapter, close_adapter
from vmrules.testing.conformance.divergence import _short, explain
from vmrules.testing.conformance.lockstep import _is_envelope
from vmrules.testing.conformance.minimize import replay, trace_steps
from vmrules.testing.conformance.run import run_conformance
from vmrules.testing.conformance.settings import MODES, KitSettings
from vmrules.world import World

# ==== vmrules conform =================================================================================


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vmrules conform",
        description="Test a JD-Cloud-compatible VM endpoint against the reference semantics, in lockstep. "
        "Exit 0 conformant, 1 a divergence (explained, trace written), 2 bad usage.")
    parser.add_argument("--url", help="the endpoint, e.g. http://127.0.0.1:8000 (vmrules serve)")
    parser.add_argument("--self-test", action="store_true", help="run against the in-process reference instead")
    parser.add_argument("--credentials", metavar="FILE",
                        help='sign requests: JSON {"<accessKey>": {"secretKey": ..., "pin": ...}} (one per caller)')
    parser.add_argument("--mode", choices=MODES, default="full", help="how much is compared (default: full)")
    parser.add_argument("--steps", type=int, default=40, help="steps per run (default 40)")
    parser.add_argument("--examples", type=int, default=30, help="runs (default 30)")
    parser.add_argument("--seed", type=int, default=None,
                        help="hypothesis seed: the same seed replays the same steps (default: a fresh seed, printed)")
    parser.add_argument("--invalid-share", type=float, default=0.3, help="share of invalid requests (0..1)")
    parser.add_argument("--callers", default=f"{MAIN},{SECOND}", help="comma-separated accounts that act")
    parser.add_argument("--trace-dir", default="conformance-traces", help="where a divergence's trace goes")
    parser.add_argument("--no-admin", action="store_true",
                        help="the endpoint has no /admin (cannot reset): start from its state, settle by polling, "
                        "settle after every change")
    parser.add_argument("--emulator-clock", action="store_true",
                        help="the endpoint is vmrules serve --frozen-clock: the kit moves its clock (POST "
                        "/admin/advance), so time is stepped and time fields compared exactly")
    parser.add_argument("--no-keep-alive", action="store_true",
                        help="open a new connection for each request (for an endpoint that mishandles kept-alive "
                        "connections)")
    parser.add_argument("--no-shrink", action="store_true", help="report the first divergence as found")
    parser.add_argument("--replay", metavar="TRACE.jsonl",
                        help="replay a trace (e.g. a divergence's) in lockstep instead of generating steps")
    parser.add_argument("--world", metavar="WORLD.json",
                        help="the world a --replay starts from (default: the edge world)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``vmrules conform``: returns the exit status."""
    from vmrules.testing.adapters import EmulatorAdapter, HttpAdapter, InProcessAdapter, load_credentials

    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if (args.url is None) == (not args.self_test):
        sys.stderr.write("vmrules conform: error: give --url URL or --self-test\n")
        return 2
    if args.world is not None and args.replay is None:  # it would be ignored: a run starts from the edge world
        sys.stderr.write("vmrules conform: error: --world is the world a --replay starts from; give --replay too\n")
        return 2
    if not 0 <= args.invalid_share <= 1 or args.steps < 1 or args.examples < 1:
        sys.stderr.write("vmrules conform: error: --invalid-share is 0..1, --steps and --examples at least 1\n")
        return 2
    callers = tuple(c for c in args.callers.split(",") if c)
    if not callers:
        sys.stderr.write("vmrules conform: error: --callers names no account\n")
        return 2
    factory: Callable[[], SystemAdapter]
    if args.self_test:
        factory = InProcessAdapter
    else:
        try:
            credentials = load_credentials(args.credentials) if args.credentials else None
        except ValueError as exc:
            sys.stderr.write(f"vmrules conform: error: {exc}\n")
            return 2
        if credentials is not None:
            missing = [c for c in callers if c not in credentials]
            if missing:
                sys.stderr.write(f"vmrules conform: error: no credentials for caller(s) {', '.join(missing)}\n")
                return 2
        url, admin, keep_alive = args.url, not args.no_admin, not args.no_keep_alive
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            sys.stderr.write(f"vmrules conform: error: --url {url[:200]!r} is not an http:// or https:// URL\n")
            return 2
        if args.emulator_clock and not admin:
            sys.stderr.write("vmrules conform: error: --emulator-clock needs the admin endpoints (not --no-admin)\n")
            return 2
        kind = EmulatorAdapter if args.emulator_clock else HttpAdapter

        def factory() -> SystemAdapter:
            return kind(url, credentials, admin=admin, keep_alive=keep_alive)

        with kind(url, credentials, admin=admin, keep_alive=keep_alive) as probing:
            probe = probing.call("describeQuotas", {"regionId": NORTH}, callers[0])
        if not _is_envelope(probe) or probe.get("error", {}).get("status") in ("UNAVAILABLE", "UNAUTHENTICATED"):
            sys.stderr.write(f"vmrules conform: error: {url} does not answer as a JD Cloud VM API: "
                             f"{_short(probe, 200)}\n")
            return 2

    kit = KitSettings(mode=args.mode, invalid_share=args.invalid_share, callers=callers,
                      settle_every_step=args.no_admin, trace_dir=args.trace_dir)
    if args.replay is not None:
        return _replay_command(factory, kit, args.replay, args.world)
    # A system that cannot be reset keeps its state from one run to the next: one long run instead.
    examples, steps = (1, args.steps * args.examples) if args.no_admin else (args.examples, args.steps)
    report = run_conformance(factory, steps=steps, examples=examples, seed=args.seed, settings=kit,
                             shrink=not args.no_shrink)
    print(report.summary())
    return 0 if report.ok else 1


def _replay_command(factory: Callable[[], SystemAdapter], kit: KitSettings, trace: str, world: str | None) -> int:
    try:
        steps = trace_steps(Path(trace).read_text(encoding="utf-8"), trace)
    except (OSError, ValueError) as exc:  # a UnicodeDecodeError is a ValueError
        sys.stderr.write(f"vmrules conform: error: {trace}: {exc}\n")
        return 2
    try:
        start = World.from_json(Path(world).read_bytes()) if world else None
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"vmrules conform: error: {world}: {exc}\n")
        return 2
    if start is not None:
        kit = dataclasses.replace(kit, world=start)
    adapter = factory()
    try:
        lockstep, found = replay(adapter, steps, kit)
    finally:
        close_adapter(adapter)
    if found is None:
        print(f"conformant: {lockstep.steps} steps of {trace} replayed ({kit.mode} mode), no divergence")
        return 0
    print(f"DIVERGENCE replaying {trace}\n{explain(found)}")
    return 1
