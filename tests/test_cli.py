"""The ``vmrules`` command line: every command, every exit status.

Commands run in process (tests/cli_runner.py) unless a test names an entry point; the tests parametrized over
``ENTRY_POINTS`` also run ``python -m vmrules`` and the installed console script in a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_cli

from vmrules import World
from vmrules.builders import add_instance
from vmrules.clock import MAX_CLOCK
from vmrules.engine import settle
from vmrules.model import Region

SCRIPT = shutil.which("vmrules", path=str(Path(sys.executable).parent)) or shutil.which("vmrules")
ENTRY_POINTS = ["inprocess", "module", "script"]


def cli(*args: str, stdin: str | None = None, entry: str = "inprocess", cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Run ``vmrules ARGS`` in process, or as ``python -m vmrules`` / the installed script, capturing output."""
    if entry == "inprocess":
        return run_cli(*args, stdin=stdin, cwd=cwd)
    if entry == "script":
        assert SCRIPT is not None, "the vmrules console script is not installed (pip install -e .)"
        command = [SCRIPT, *args]
    else:
        command = [sys.executable, "-m", "vmrules", *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, input=stdin, capture_output=True, text=True, encoding="utf-8", env=env,
                          cwd=cwd, timeout=60, check=False)


def bad_input(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2 with exactly one line on stderr containing every fragment, and no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def write(tmp_path: Path, name: str, content: str | object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def trace(tmp_path: Path, *steps: object, name: str = "trace.jsonl") -> str:
    return write(tmp_path, name, "\n".join(s if isinstance(s, str) else json.dumps(s) for s in steps) + "\n")


def world_with_instance(tmp_path: Path, **kwargs: Any) -> tuple[str, str]:
    """A snapshot file of the default world plus one settled instance of alice's: (path, instance id)."""
    iid, world = add_instance(World.default(), **kwargs)
    return write(tmp_path, "world.json", settle(world).to_dict()), iid


NORTH = "cn-north-1"
MISSING = {"regionId": NORTH, "instanceId": "i-doesnotexist"}


# ---- check ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_check_refused_prints_rule_status_field_message_and_source(tmp_path: Path, entry: str) -> None:
    result = cli("check", "stopInstance", write(tmp_path, "req.json", MISSING), entry=entry)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "INSTANCE.EXISTS" in out and "NOT_FOUND (404)" in out and "field instanceId" in out
    assert "i-doesnotexist" in out
    assert "inferred:" in out  # the rule's source line


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_check_ok_prints_the_result(tmp_path: Path, entry: str) -> None:
    world, iid = world_with_instance(tmp_path)
    req = write(tmp_path, "req.json", {"regionId": NORTH, "instanceId": iid})
    result = cli("check", "stopInstance", req, "--world", world, entry=entry)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "ok"
    assert json.loads("\n".join(result.stdout.splitlines()[1:])) == {}


def test_check_shows_the_seed_sentence_of_a_seed_rule(tmp_path: Path) -> None:
    world, iid = world_with_instance(tmp_path, status="stopped")
    req = write(tmp_path, "req.json", {"regionId": NORTH, "instanceId": iid})
    result = cli("check", "stopInstance", req, "--world", world)
    assert result.returncode == 1
    assert "STOP_INSTANCE.STATUS_RUNNING  FAILED_PRECONDITION (400)  field instanceId" in result.stdout
    assert "seed: 只能停止running状态的云主机" in result.stdout


def test_check_lists_every_violation(tmp_path: Path) -> None:
    result = cli("check", "stopInstance", write(tmp_path, "req.json", {"instanceId": 7}))
    assert result.returncode == 1
    assert "2 violations" in result.stdout
    assert "REQUEST.REQUIRED" in result.stdout and "field regionId" in result.stdout
    assert "REQUEST.TYPE" in result.stdout and "field instanceId" in result.stdout


def test_check_json_prints_envelopes(tmp_path: Path) -> None:
    result = cli("check", "stopInstance", write(tmp_path, "req.json", {"instanceId": 7}), "--json")
    assert result.returncode == 1
    envelopes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["error"]["status"] for e in envelopes] == ["INVALID_ARGUMENT", "INVALID_ARGUMENT"]
    assert all(set(e) == {"requestId", "error"} and e["error"]["code"] == 400 for e in envelopes)

    world, iid = world_with_instance(tmp_path)
    req = write(tmp_path, "ok.json", {"regionId": NORTH, "instanceId": iid})
    result = cli("check", "stopInstance", req, "--world", world, "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"requestId": "vmrules-check-1", "result": {}}


def test_check_reads_stdin_and_takes_a_caller(tmp_path: Path) -> None:
    world, iid = world_with_instance(tmp_path)
    request = json.dumps({"regionId": NORTH, "instanceId": iid})
    assert cli("check", "stopInstance", "-", "--world", world, stdin=request).returncode == 0
    as_bob = cli("check", "stopInstance", "-", "--world", world, "--caller", "bob", stdin=request)
    assert as_bob.returncode == 1 and "INSTANCE.EXISTS" in as_bob.stdout
    nobody = cli("check", "stopInstance", "-", "--world", world, "--caller", "mallory", stdin=request)
    assert nobody.returncode == 1 and "REQUEST.UNKNOWN_CALLER" in nobody.stdout


def test_check_bad_request_files(tmp_path: Path) -> None:
    bad_input(cli("check", "stopInstance", str(tmp_path / "nope.json")), "nope.json", "no such file")
    bad_input(cli("check", "stopInstance", str(tmp_path)), "is a directory")
    bad_input(cli("check", "stopInstance", write(tmp_path, "a.json", "{not json")), "a.json", "not JSON")
    bad_input(cli("check", "stopInstance", write(tmp_path, "b.json", "[1, 2]")), "b.json", "JSON object",
              "an array")
    bad_input(cli("check", "stopInstance", write(tmp_path, "c.json", '{"x": NaN}')), "c.json", "not JSON")
    (tmp_path / "d.json").write_bytes(b'{"regionId": "\xff"}')
    bad_input(cli("check", "stopInstance", str(tmp_path / "d.json")), "d.json", "not UTF-8")
    bad_input(cli("check", "stopInstance", "-", stdin=""), "<stdin>", "not JSON")


def test_check_bad_world_files(tmp_path: Path) -> None:
    req = write(tmp_path, "req.json", MISSING)
    bad_input(cli("check", "stopInstance", req, "--world", str(tmp_path / "w.json")), "w.json", "no such file")
    bad_input(cli("check", "stopInstance", req, "--world", write(tmp_path, "w1.json", "]")), "w1.json",
              "not JSON")
    bad_input(cli("check", "stopInstance", req, "--world", write(tmp_path, "w2.json", "[]")), "w2.json",
              "not a world snapshot")
    bad_input(cli("check", "stopInstance", req, "--world", write(tmp_path, "w3.json", {"instances": 5})),
              "w3.json", "not a world snapshot")
    bad_input(cli("check", "stopInstance", "-", "--world", "-", stdin="{}"), "stdin")


def test_check_unknown_operation() -> None:
    bad_input(cli("check", "stopInstanse", "-", stdin="{}"), "unknown operation 'stopInstanse'",
              "did you mean stopInstance")
    bad_input(cli("check", "launchRocket", "-", stdin="{}"), "unknown operation 'launchRocket'")


def test_usage_errors_exit_2() -> None:
    assert cli().returncode == 2
    assert cli("check", "stopInstance").returncode == 2
    assert cli("frobnicate").returncode == 2
    assert cli("--version").stdout.startswith("vmrules ")
    assert "check" in cli("--help").stdout


# ---- run --------------------------------------------------------------------------------------------------


def test_run_replays_a_trace_and_captures_values(tmp_path: Path) -> None:
    world, iid = world_with_instance(tmp_path)
    path = trace(
        tmp_path,
        "# comment lines and blank lines are skipped",
        "",
        {"op": "describeInstance", "params": {"regionId": NORTH, "instanceId": iid},
         "expect": {"result": {"instance": {"instanceId": iid, "status": "running"}}},
         "save": {"vm": "instance.instanceId", "nic": "instance.primaryNetworkInterface.networkInterface"}},
        {"op": "stopInstance", "params": {"regionId": NORTH, "instanceId": "${vm}"}},
        {"op": "stopInstance", "params": {"regionId": NORTH, "instanceId": "${vm}"},
         "expect": {"status": "FAILED_PRECONDITION", "rule": "STOP_INSTANCE.STATUS_RUNNING", "code": 400,
                    "field": "instanceId", "message": "stopping"}},
        {"op": "settle"},
        {"op": "advance", "seconds": 60},
        {"op": "startInstance", "params": {"regionId": NORTH, "instanceId": "${vm}"}, "caller": "alice",
         "note": "explicit caller"},
        {"op": "startInstance", "params": {"regionId": NORTH, "instanceId": "${vm}"}, "caller": "bob",
         "expect": {"status": "NOT_FOUND"}},
        {"op": "stopInstance", "params": {"regionId": NORTH, "instanceId": "x-${vm}"}, "expect": "any"},
    )
    result = cli("run", path, "--world", world)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "ok: 8 steps, all as expected"
    assert any("settle" in line and "1 task completed" in line for line in lines)
    assert any("advance" in line and "clock +60s" in line for line in lines)
    assert any(f"vm=\"{iid}\"" in line for line in lines)
    assert any("STOP_INSTANCE.STATUS_RUNNING" in line and "(as expected)" in line for line in lines)
    assert result.stderr == ""


def test_run_stops_at_the_first_unexpected_step(tmp_path: Path) -> None:
    world, iid = world_with_instance(tmp_path)
    stop = {"op": "stopInstance", "params": {"regionId": NORTH, "instanceId": iid}}
    path = trace(tmp_path, stop, {**stop, "expect": "ok"}, {"op": "settle"})
    result = cli("run", path, "--world", world)
    assert result.returncode == 1
    last = result.stdout.splitlines()[-1]
    assert last.startswith(f"FAILED at {path}:2 (stopInstance): expected ok, got FAILED_PRECONDITION")
    assert "STOP_INSTANCE.STATUS_RUNNING" in last
    assert "settle" not in result.stdout  # nothing after the failing step ran

    expect_error = trace(tmp_path, {**stop, "expect": {"status": "NOT_FOUND"}}, name="t2.jsonl")
    result = cli("run", expect_error, "--world", world)
    assert result.returncode == 1 and "expected status=NOT_FOUND, got ok" in result.stdout

    wrong_rule = trace(tmp_path, stop, {**stop, "expect": {"rule": "STOP_INSTANCE.NO_TASK"}}, name="t3.jsonl")
    result = cli("run", wrong_rule, "--world", world)
    assert result.returncode == 1
    assert "expected rule STOP_INSTANCE.NO_TASK, got STOP_INSTANCE.STATUS_RUNNING" in result.stdout

    wrong_result = trace(tmp_path, {"op": "describeInstance", "params": {"regionId": NORTH, "instanceId": iid},
                                    "expect": {"result": {"instance": {"status": "stopped"}}}}, name="t4.jsonl")
    result = cli("run", wrong_result, "--world", world)
    assert result.returncode == 1
    assert "result.instance.status: expected stopped, got running" in result.stdout

    unsaved = trace(tmp_path, {**stop, "save": {"x": "instanceIds[0]"}}, name="t5.jsonl")
    result = cli("run", unsaved, "--world", world)
    assert result.returncode == 1 and "cannot save x: the result has no instanceIds[0]" in result.stdout


def test_run_json_prints_a_line_per_step(tmp_path: Path) -> None:
    path = trace(tmp_path, {"op": "stopInstance", "params": MISSING, "expect": {"status": "NOT_FOUND"}},
                 {"op": "settle"})
    result = cli("run", path, "--json")
    assert result.returncode == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["response"]["error"]["status"] == "NOT_FOUND" and first["rule"] == "INSTANCE.EXISTS"
    assert first["asExpected"] is True and second == {"line": 2, "op": "settle", "summary": "0 tasks completed",
                                                      "asExpected": True}


def test_run_reads_stdin_and_writes_the_final_world(tmp_path: Path) -> None:
    world, iid = world_with_instance(tmp_path)
    steps = "\n".join(json.dumps(s) for s in [
        {"op": "stopInstance", "params": {"regionId": NORTH, "instanceId": iid}}, {"op": "settle"}])
    out = tmp_path / "final.json"
    result = cli("run", "-", "--world", world, "--out", str(out), stdin=steps)
    assert result.returncode == 0, result.stdout + result.stderr
    final = World.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert final.instances[iid].status == "stopped"
    bad_input(cli("run", "-", "--world", world, "--out", str(tmp_path / "no" / "such" / "dir.json"),
                  stdin=steps), "cannot write")


def test_run_writes_the_world_as_of_a_failing_step(tmp_path: Path) -> None:
    world, iid = world_with_instance(tmp_path)
    stop = {"op": "stopInstance", "params": {"regionId": NORTH, "instanceId": iid}}
    out = tmp_path / "final.json"
    result = cli("run", trace(tmp_path, stop, stop), "--world", world, "--out", str(out))
    assert result.returncode == 1
    assert World.from_dict(json.loads(out.read_text(encoding="utf-8"))).instances[iid].status == "stopping"


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ("{oops", ["trace.jsonl:1", "not JSON"]),
        ("[1]", ["trace.jsonl:1", "JSON object", "an array"]),
        ('{"params": {}}', ["trace.jsonl:1", '"op"']),
        ('{"op": "stopInstance", "parms": {}}', ["unknown member 'parms'"]),
        ('{"op": "settle", "expect": "ok"}', ["unknown member 'expect' in a settle step"]),
        ('{"op": "advance"}', ['advance needs "seconds"']),
        ('{"op": "advance", "seconds": -5}', ['advance needs "seconds"']),
        ('{"op": "advance", "seconds": true}', ['advance needs "seconds"']),
        ('{"op": "stopInstance", "expect": "fine"}', ['"expect" must be']),
        ('{"op": "stopInstance", "expect": {"status": "NOPE"}}', ["expect.status 'NOPE'"]),
        ('{"op": "stopInstance", "expect": {"stauts": "NOT_FOUND"}}', ["unknown member 'stauts'"]),
        ('{"op": "stopInstance", "expect": {"status": "NOT_FOUND", "result": {}}}', ["both"]),
        ('{"op": "stopInstance", "expect": {"code": "404"}}', ["expect.code"]),
        ('{"op": "stopInstance", "expect": {"rule": 5}}', ["expect.rule"]),
        ('{"op": "stopInstance", "caller": 5}', ['"caller" must be a string']),
        ('{"op": "stopInstance", "note": 5}', ['"note" must be a string']),
        ('{"op": "stopInstance", "save": ["x"]}', ['"save" must be an object']),
        ('{"op": "stopInstance", "save": {"1x": "a"}}', ["save name '1x'"]),
        ('{"op": "stopInstance", "save": {"x": "a..b"}}', ["save path 'a..b'"]),
        ('{"op": "stopInstance", "save": {"x": "[0]"}}', ["save path '[0]'"]),
        ('{"op": "stopInstance", "params": {"instanceId": "${vm}"}}', ["${vm} is used before any step saves it"]),
        ("# only a comment", ["the trace has no steps"]),
    ],
)
def test_run_bad_trace_files(tmp_path: Path, line: str, fragments: list[str]) -> None:
    bad_input(cli("run", trace(tmp_path, line)), *fragments)


def test_run_an_advance_past_the_latest_clock_is_bad_input(tmp_path: Path) -> None:
    room = MAX_CLOCK - World.default().clock
    assert cli("run", trace(tmp_path, {"op": "advance", "seconds": room})).returncode == 0
    bad_input(cli("run", trace(tmp_path, {"op": "settle"}, {"op": "advance", "seconds": room + 1})),
              "trace.jsonl:2:", "9990-01-01T00:00:00Z", f"it may move {room} s more")


def test_run_advances_that_add_up_past_the_latest_clock_are_refused_before_any_step(tmp_path: Path) -> None:
    room = MAX_CLOCK - World.default().clock
    result = cli("run", trace(tmp_path, {"op": "advance", "seconds": room - 5}, {"op": "settle"},
                              {"op": "advance", "seconds": 6}), "--out", str(tmp_path / "out.json"))
    bad_input(result, "trace.jsonl:3:", "with the advances before it", "advancing by", "it may move")
    assert result.stdout == "" and not (tmp_path / "out.json").exists()  # nothing ran


def test_run_a_step_nested_too_deep_is_bad_input_and_one_the_engine_refuses_runs(tmp_path: Path) -> None:
    deep = '{"op": "describeInstances", "params": {"regionId": "cn-north-1", "x": ' + "[" * 500 + "]" * 500 + "}}"
    bad_input(cli("run", trace(tmp_path, deep)), "trace.jsonl:1:", "nests more than 200 levels deep")
    readable = ('{"op": "describeInstances", "params": {"regionId": "cn-north-1", "x": ' + "[" * 198 + "]" * 198
                + '}, "expect": {"rule": "REQUEST.UNREADABLE"}}')
    assert cli("run", trace(tmp_path, readable)).returncode == 0  # 200 levels: read, and refused by the engine


def test_run_a_line_separator_inside_a_json_string_does_not_end_the_line(tmp_path: Path) -> None:
    steps = "".join(f'{{"op": "settle", "note": "a{c}b"}}\n' for c in ("\u2028", "\u2029", "\u0085"))
    result = cli("run", write(tmp_path, "t.jsonl", steps))
    assert result.returncode == 0 and "ok: 3 steps" in result.stdout


def test_run_a_caller_that_a_saved_name_makes_no_string_is_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = cli("run", trace(tmp_path, {"op": "describeInstances", "params": {"regionId": "cn-north-1"},
                                         "save": {"n": "totalCount"}},
                              {"op": "describeInstances", "params": {"regionId": "cn-north-1"}, "caller": "${n}"}),
                 "--out", str(out))
    bad_input(result, "trace.jsonl:2:", '"caller" is a number once saved names are filled in')
    assert "totalCount" in result.stdout and json.loads(out.read_text())  # step 1 ran; the world is written


def test_run_bad_trace_and_world_paths(tmp_path: Path) -> None:
    bad_input(cli("run", str(tmp_path / "missing.jsonl")), "missing.jsonl", "no such file")
    bad_input(cli("run", trace(tmp_path, {"op": "settle"}), "--world", write(tmp_path, "w.json", "1")),
              "not a world snapshot")
    bad_input(cli("run", "-", "--world", "-", stdin='{"op": "settle"}'), "stdin")


def test_run_shows_a_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    import pty

    path = trace(tmp_path, *([{"op": "settle"}] * 25))
    piped = cli("run", path)
    assert piped.returncode == 0 and piped.stderr == ""

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "vmrules", "run", path], stderr=follower,
                              stdout=subprocess.PIPE, text=True, timeout=60, check=False)
        os.close(follower)
        follower = -1
        shown = _read_all(leader)
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert proc.returncode == 0
    assert "] 24/25 steps" in shown and "#" * 10 in shown
    assert "ok: 25 steps, all as expected" in proc.stdout


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO once the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


# ---- rules, schema, world ---------------------------------------------------------------------------------


def test_rules_lists_the_catalogue() -> None:
    result = cli("rules")
    assert result.returncode == 0
    assert "STOP_INSTANCE.STATUS_RUNNING  FAILED_PRECONDITION (400)  phase STATE  field instanceId" in result.stdout
    assert "seed: 只能停止running状态的云主机" in result.stdout
    assert "operations: stopInstance" in result.stdout


def test_rules_for_one_operation_in_precedence_order() -> None:
    result = cli("rules", "--op", "stopInstance", "--json")
    assert result.returncode == 0
    rules = json.loads(result.stdout)
    ids = [r["id"] for r in rules]
    assert ids[0] == "REQUEST.UNKNOWN_OPERATION" and "STOP_INSTANCE.STATUS_RUNNING" in ids
    assert "START_INSTANCE.STATUS_STOPPED" not in ids
    running = next(r for r in rules if r["id"] == "STOP_INSTANCE.STATUS_RUNNING")
    assert running["status"] == "FAILED_PRECONDITION" and running["source"]["kind"] == "seed"
    human = cli("rules", "--op", "startInstance")
    assert "START_INSTANCE.CHARGE_NORMAL" in human.stdout and "STOP_INSTANCE" not in human.stdout
    bad_input(cli("rules", "--op", "stopInstanse"), "did you mean stopInstance")


def test_rules_of_one_operation_show_its_effects_too() -> None:
    human = cli("rules", "--op", "deleteInstance")
    assert "DELETE_INSTANCE.REMOVES_AUTO_DELETE_DISKS  removal" in human.stdout
    assert "instance: running | stopped | error -> deleting (task deleteInstance) -> settle -> (gone)" in human.stdout
    listed = json.loads(cli("effects", "--op", "stopInstance", "--json").stdout)
    assert [(e["id"], e["statusChange"]["after"]) for e in listed] == [("STOP_INSTANCE.STOPS", "stopped")]
    every = cli("effects")
    assert every.returncode == 0 and "CREATE_INSTANCES.VM_AZ_OVERRIDES_DISK_AZ  change" in every.stdout


def test_schema_of_a_request() -> None:
    result = cli("schema", "stopInstance")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"regionId", "instanceId"} <= set(schema["required"])
    assert "chargeOnStopped" in schema["properties"]
    strict = json.loads(cli("schema", "stopInstance", "--strict").stdout)
    assert strict["additionalProperties"] is False and "additionalProperties" not in schema
    openapi = cli("schema", "--openapi")
    assert openapi.returncode == 0
    assert openapi.stdout == (Path(__file__).resolve().parent.parent / "docs" / "openapi.json").read_text(
        encoding="utf-8")
    bad_input(cli("schema"), "OPERATION, --openapi or --world")
    bad_input(cli("schema", "stopInstance", "--world"), "OPERATION, --openapi or --world")
    bad_input(cli("schema", "nothing"), "unknown operation 'nothing'")


def test_schema_of_the_world() -> None:
    result = cli("schema", "--world")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema.get("type") == "object"


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_world_prints_the_default_snapshot(entry: str) -> None:
    result = cli("world", entry=entry)
    assert result.returncode == 0, result.stderr
    assert World.from_dict(json.loads(result.stdout)) == World.default()


# ---- commands of other packages ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["serve", "conform"])
def test_extension_commands_are_handed_their_arguments(name: str) -> None:
    from vmrules.cli import EXTENSIONS, _available

    result = cli(name, "--help")
    if _available(EXTENSIONS[name][0]):
        assert result.returncode == 0, result.stderr
        assert f"vmrules {name}" in result.stdout
        assert name in cli("--help").stdout
    else:
        bad_input(result, f"no {name} command")
        assert name not in cli("--help").stdout.split("options:")[0]


def test_the_core_never_imports_the_cli() -> None:
    probe = ("import sys, vmrules, vmrules.engine, vmrules.catalogue, vmrules.snapshot; "
             "print(sorted(m for m in sys.modules if m.startswith('vmrules.cli')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("url", ["notaurl", "ftp://h/x", "http://"])
def test_conform_needs_an_http_url(url: str) -> None:
    bad_input(cli("conform", "--url", url, "--steps", "1", "--examples", "1"), "is not an http:// or https:// URL")


def test_conform_replay_names_the_file_it_cannot_read(tmp_path: Path) -> None:
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe")
    bad_input(cli("conform", "--self-test", "--replay", str(binary)), str(binary))


def test_schema_regions_of_a_world_lists_them_in_order(tmp_path: Path) -> None:
    world = World.default()
    more = {name: Region(name, (f"{name}a",)) for name in ("zz-test-1", "aa-test-1", "mm-test-1")}
    world = world.evolve(regions=world.regions.update(more))
    path = write(tmp_path, "w.json", world.to_dict())
    result = cli("schema", "createInstances", "--regions-of", path)
    listed = json.loads(result.stdout)["properties"]["regionId"]["enum"]
    assert result.returncode == 0 and listed == sorted(world.regions)


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5e999"])
def test_a_number_too_large_for_a_float_is_no_json(tmp_path: Path, number: str) -> None:
    # json.loads reads 1e400 as Infinity, which no JSON text can say
    bad_input(cli("check", "describeInstances", write(tmp_path, "r.json", '{"regionId": "cn-north-1", "pageSize": '
                                                     + number + "}")), "not JSON", "too large a number")
    bad_input(cli("run", trace(tmp_path, '{"op": "describeInstances", "params": {"regionId": "cn-north-1"}, '
                                         '"expect": {"result": {"totalCount": ' + number + "}}}")),
              "trace.jsonl:1:", "too large a number")


@pytest.mark.parametrize(("args", "says"), [
    (("--world", "--strict"), "--strict shapes an operation's request schema; it does not go with --world"),
    (("--openapi", "--regions-of", "w.json"), "--regions-of shapes an operation's request schema"),
    (("--openapi", "--result"), "--result is an operation's result schema; it does not go with --openapi"),
    (("createInstances", "--result", "--strict"), "it does not go with --result"),
])
def test_schema_options_that_would_be_ignored_are_refused(args: tuple[str, ...], says: str) -> None:
    result = cli("schema", *args)
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr


def test_options_another_option_needs_are_refused_without_it(tmp_path: Path) -> None:
    bad_input(cli("conform", "--self-test", "--world", str(tmp_path / "w.json")), "give --replay too")
    result = cli("run", trace(tmp_path, {"op": "settle"}), "--out", "-")
    assert result.returncode == 2 and "--out takes a file name" in result.stderr
    assert not Path("-").exists()
