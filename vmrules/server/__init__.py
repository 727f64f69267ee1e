"""``vmrules serve``: a local emulator of the JD Cloud VM REST API over the reference engine.

A shell around the pure core: the core never imports this package. See docs/emulator.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vmrules.server.app import Credentials, Emulator


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(
        prog="vmrules serve",
        description="Serve the JD Cloud VM REST API (/v1/regions/...) over the reference engine, for the official "
        "SDK, the jdc CLI or any HTTP client. Prints {\"listening\": URL} on stdout when ready. The OpenAPI "
        "document is at GET /openapi.json; /admin/world, /admin/settle and /admin/advance drive the world.",
        epilog="Exit status: 0 after Ctrl-C, 2 bad arguments or files. See docs/emulator.md.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to bind; 0 picks a free one, printed in the listening line (default: 8000)")
    parser.add_argument("--world", metavar="WORLD.json",
                        help="world snapshot to start from (default: the embedded default world, `vmrules world`)")
    parser.add_argument("--state", metavar="STATE.json",
                        help="persist every accepted change to this file, and resume from it when it exists "
                        "(default: keep the world in memory only)")
    parser.add_argument("--credentials", metavar="KEYS.json",
                        help='access keys: JSON {"<accessKey>": {"secretKey": ..., "pin": ...}}; requests must '
                        "be signed like the SDK signs them (default: none, so --no-auth is needed)")
    parser.add_argument("--task-seconds", type=float, default=0.0, metavar="SECONDS",
                        help="wall seconds a task (pending, stopping, image pending, ...) takes before it "
                        "settles (default: 0, every task completes at once)")
    parser.add_argument("--no-auth", action="store_true",
                        help="accept unsigned requests; the caller is the x-vmrules-caller header, else the "
                        "world's default account (default: off, requests must be signed)")
    parser.add_argument("--frozen-clock", action="store_true",
                        help="the world's clock does not follow wall time; only POST /admin/advance moves it "
                        "(default: off, the clock follows wall time)")
    parser.add_argument("--max-skew", type=int, default=900, metavar="SECONDS",
                        help="how far a signed request's date may be from now (default: 900)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr (default: off)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse parameter names the operation does not define (REQUEST.UNKNOWN_FIELD, 400); "
                        "the real API ignores them (default: off, ignore them too)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Load the world and credentials, bind, print ``{"listening": URL}`` and serve. Exit 2 on bad arguments."""
    import math

    from vmrules import World
    from vmrules.server.http import bind

    if not (math.isfinite(args.task_seconds) and args.task_seconds >= 0):
        print("vmrules serve: --task-seconds must be a number of seconds, 0 or more", file=sys.stderr)
        return 2
    if args.max_skew < 0:
        print("vmrules serve: --max-skew must be 0 or more", file=sys.stderr)
        return 2
    try:
        if args.state and Path(args.state).exists():
            world = World.from_dict(json.loads(Path(args.state).read_text(encoding="utf-8")))
        elif args.world:
            world = World.from_dict(json.loads(Path(args.world).read_text(encoding="utf-8")))
        else:
            world = World.default()
        credentials = Credentials.load(args.credentials) if args.credentials else Credentials()
    except (OSError, ValueError, RecursionError) as exc:
        print(f"vmrules serve: {exc}", file=sys.stderr)
        return 2
    if not args.no_auth and not credentials.keys:
        print("vmrules serve: give --credentials FILE, or --no-auth for unsigned local use", file=sys.stderr)
        return 2
    emulator = Emulator(world, task_seconds=args.task_seconds, state_path=args.state, credentials=credentials,
                        auth=not args.no_auth, max_skew_seconds=args.max_skew, verbose=args.verbose,
                        frozen_clock=args.frozen_clock, strict=args.strict)
    try:
        emulator.persist()  # the state file exists (and holds the starting world) before the first request
        server = bind(emulator, args.host, args.port)
    except OSError as exc:
        print(f"vmrules serve: {exc}", file=sys.stderr)
        return 2
    host, port = str(server.server_address[0]), int(server.server_address[1])
    print(json.dumps({"listening": f"http://{host}:{port}"}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


__all__ = ["Credentials", "Emulator", "build_parser", "main", "run"]
