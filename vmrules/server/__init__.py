"""``vmrules serve``: a local emulator of the JD Cloud VM REST API over the reference engine.

A shell around the pure core: the core never imports this package. See docs/emulator.md.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from pathlib import Path

from vmrules.server.app import Credentials, Emulator
from vmrules.world import World


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(
        prog="vmrules serve",
        description="Serve the JD Cloud VM REST API (/v1/regions/...) over the reference engine, for the official "
        "SDKs, the jdc CLI or any HTTP client. Prints {\"listening\": URL} on stdout when ready. The OpenAPI "
        "document is at GET /openapi.json; /admin/world, /admin/settle and /admin/advance drive the world.",
        epilog="Exit status: 0 after Ctrl-C, 2 bad arguments or files. See docs/emulator.md.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to bind; 0 picks a free one, printed in the listening line (default: 8000)")
    parser.add_argument("--world", metavar="WORLD.json",
                        help="world snapshot to start from (default: the embedded default world, `vmrules world`)")
    parser.add_argument("--state", metavar="STATE.db",
                        help="SQLite state database: every accepted change is logged there before it is answered, "
                             "and the server resumes from it when it exists; an old JSON state file is migrated "
                             "(default: keep the world in memory only)")
    parser.add_argument("--snapshot-every", type=int, default=1000, metavar="N",
                        help="with --state: take a snapshot of the world every N logged changes (default: 1000)")
    parser.add_argument("--sync", choices=("full", "normal"), default="normal",
                        help="with --state: SQLite synchronous mode; full survives power loss, normal a killed "
                             "process (default: normal)")
    parser.add_argument("--export-trace", metavar="DIR",
                        help="with --state: write DIR/world.json and DIR/trace.jsonl (a `vmrules run` trace of "
                             "the logged changes) and exit (default: serve)")
    parser.add_argument("--credentials", metavar="KEYS.json",
                        help='access keys: JSON {"<accessKey>": {"secretKey": ..., "pin": ..., "admin": bool}}; '
                             "requests must be signed as the SDK signs them, admin calls by an admin key "
                             "(default: none, so --no-auth is needed)")
    parser.add_argument("--task-seconds", type=float, default=0.0, metavar="SECONDS",
                        help="wall seconds a task (pending, stopping, image pending, ...) takes before it settles; "
                             "inf: only POST /admin/settle completes tasks, as vmrules conform --url expects "
                             "(default: 0, every task completes at once)")
    parser.add_argument("--no-auth", action="store_true",
                        help="accept unsigned requests, admin included; the caller is the x-vmrules-caller header, "
                             "else the world's default account (default: off, requests must be signed)")
    parser.add_argument("--clock", choices=("wall", "world"), default="wall",
                        help="wall: bring the world's clock to wall time at start; world: start at the snapshot's "
                             "own clock (default: wall)")
    parser.add_argument("--frozen-clock", action="store_true",
                        help="the world's clock does not follow wall time; only POST /admin/advance moves it "
                             "(default: off, the clock follows wall time)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="HOST[:PORT]",
                        help="also accept this Host header; repeatable (default: only the listen address and "
                             "localhost, against DNS rebinding)")
    parser.add_argument("--body-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="seconds a request's whole body may take to arrive (default: 30)")
    parser.add_argument("--max-skew", type=int, default=900, metavar="SECONDS",
                        help="how far a signed request's date may be from the server's clock (default: 900)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr (default: off)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse parameter names the operation does not define (REQUEST.UNKNOWN_FIELD, 400); "
                             "the real API ignores them (default: off, ignore them too)")
    return parser


def _fail(message: object) -> int:
    print(f"vmrules serve: {message}", file=sys.stderr)
    return 2


def _read_world(path: str) -> World:
    """The snapshot in ``path`` (a UTF-8 byte-order mark allowed, as everywhere a file is named); a
    ``ValueError`` that names the file when it is no snapshot."""
    data = Path(path).read_bytes()
    try:
        return World.from_json(data.removeprefix(codecs.BOM_UTF8))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Load the world and credentials, bind, print ``{"listening": URL}`` and serve. Exit 2 on bad arguments."""
    import math
    import signal
    import time

    from vmrules import World, advance
    from vmrules.server.http import bind
    from vmrules.server.store import Store, StoreError
    from vmrules.server.trace import export_trace

    if not args.task_seconds >= 0:  # NaN fails this too; inf is "never on their own"
        return _fail("--task-seconds must be a number of seconds, 0 or more, or inf")
    if args.max_skew < 0:
        return _fail("--max-skew must be 0 or more")
    if not (math.isfinite(args.body_timeout) and args.body_timeout > 0):
        return _fail("--body-timeout must be a number of seconds above 0")
    if args.snapshot_every < 1:
        return _fail("--snapshot-every must be 1 or more")
    if not 0 <= args.port <= 65535:
        return _fail("--port must be 0 (a free port) to 65535")
    if args.export_trace and not args.state:
        return _fail("--export-trace needs --state")
    store = None
    try:
        world = _read_world(args.world) if args.world else World.default()
        if args.state:
            store = Store.open(args.state, world, snapshot_every=args.snapshot_every,
                               synchronous="FULL" if args.sync == "full" else "NORMAL")
            if args.export_trace:
                steps = export_trace(store, Path(args.export_trace))
                print(json.dumps({"exported": steps, "world": str(Path(args.export_trace) / "world.json"),
                                  "trace": str(Path(args.export_trace) / "trace.jsonl")}))
                store.close()
                return 0
            world = store.load()
        credentials = Credentials.load(args.credentials) if args.credentials else Credentials()
    except (OSError, ValueError, RecursionError, StoreError) as exc:
        if store is not None:
            store.close()
        return _fail(exc)
    if not args.no_auth and not credentials.keys:
        return _fail("give --credentials FILE, or --no-auth for unsigned local use")
    if args.clock == "wall" and world.clock < int(time.time()):
        world = advance(world, int(time.time()) - world.clock)
    emulator = Emulator(world, task_seconds=args.task_seconds, store=store, credentials=credentials,
                        auth=not args.no_auth, max_skew_seconds=args.max_skew, verbose=args.verbose,
                        frozen_clock=args.frozen_clock, body_seconds=args.body_timeout,
                        strict=args.strict)
    try:
        server = bind(emulator, args.host, args.port)
    except OSError as exc:
        if store is not None:
            store.close()
        return _fail(exc)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    emulator.allowed_hosts = allowed_hosts(host, port, args.allow_host)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # leave serve_forever, close the store cleanly

    # The handler goes in before the port is announced: a supervisor may send SIGTERM as soon as it reads the
    # line, and that must close the store as a later SIGTERM does, not kill the process with the log open.
    term_handler = signal.signal(signal.SIGTERM, stop)
    try:
        if args.no_auth:
            print("vmrules serve: WARNING --no-auth: no request is authenticated, and the admin API (/admin/*: "
                  "read or replace the whole world, move its clock) is open to every local process",
                  file=sys.stderr, flush=True)
        print(json.dumps({"listening": f"http://{host}:{port}"}), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal must not cut the clean-up short: the store's close checkpoints the log into the
        # database and removes the -wal and -shm files. Then the handlers are as they were before serving.
        int_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            server.server_close()
        finally:
            if store is not None:
                store.close()
            signal.signal(signal.SIGINT, int_handler)
            signal.signal(signal.SIGTERM, term_handler)
    return 0


def allowed_hosts(host: str, port: int, extra: list[str]) -> frozenset[str]:
    """Host header values accepted: the listen address (and ``localhost`` for a loopback one), with and without
    the port (port-less only where a client may omit it), plus ``extra`` as given."""
    names = {host}
    if host in ("127.0.0.1", "::1"):
        names |= {"localhost", "127.0.0.1"}
    if ":" in host:
        names = {f"[{name}]" if ":" in name else name for name in names}
    values = {f"{name}:{port}" for name in names}
    if port == 80:
        values |= names
    return frozenset(v.lower() for v in values | set(extra))


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


__all__ = ["Credentials", "Emulator", "build_parser", "main", "run"]
