"""Official JD Cloud clients nobody here wrote, against `vmrules serve` in signed mode: the CLI ``jdc``
(jdcloud-cli) and, when node and npm exist, the JavaScript SDK ``jdcloud-sdk-js`` from npm."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vmrules.server.process import ServerProcess, serve_args

REGION = "cn-north-1"
ALICE = ("AKALICE00000000000001", "alice-secret")
SPEC = {"name": "from-a-client", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    keys = tmp_path_factory.mktemp("keys") / "credentials.json"
    keys.write_text(json.dumps({ALICE[0]: {"secretKey": ALICE[1], "pin": "alice"}}), encoding="utf-8")
    with ServerProcess(*serve_args(credentials=str(keys), task_seconds=0)) as process:
        yield process
        assert "Traceback" not in process.stderr_text()


# ---- jdc ---------------------------------------------------------------------------------------------------


# jdcloud-cli 1.2.5 parses every JSON parameter with ``yaml.load(text)``, which PyYAML 6 refuses without a
# Loader ("Parameter instanceSpec is invalid!"). The session runs jdc's own entry point with that one call given
# the safe loader, the same fix docs/emulator.md gives users; everything else is jdc as installed.
JDC = """
import functools, sys, yaml
if yaml.__version__.split(".")[0] >= "6":
    yaml.load = functools.partial(yaml.load, Loader=yaml.SafeLoader)
from jdcloud_cli.jdc import main
sys.argv[0] = "jdc"
sys.exit(main())
"""


def jdc_command(cache: Path) -> list[str] | str:
    """How to run jdc: the installed one, else one installed into its own virtual environment under ``cache``
    (jdcloud-cli pins jdcloud_sdk==1.6.42, so it cannot share the test environment's newer SDK). A string says
    why there is none."""
    try:
        import jdcloud_cli  # noqa: F401

        return [sys.executable, "-c", JDC]
    except ImportError:
        pass
    venv = cache / "jdc-venv"
    python = venv / "bin" / "python"
    if not (venv / "ready").exists():
        # The test environment's pip installs into a venv without one (ensurepip costs 5-6 s), and compiles
        # nothing: the SDK is thousands of modules, and jdc imports a few, compiled on first use (see run()).
        steps = ([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                 [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile",
                  "--disable-pip-version-check", "jdcloud-cli"])
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired:
                return "installing jdcloud-cli took over 300 s"
            if done.returncode != 0:
                return f"could not install jdcloud-cli (no registry access?): {done.stderr[-300:]}"
        (venv / "ready").touch()
    return [str(python), "-c", JDC]


def test_a_jdc_session_create_describe_stop_start_image_delete(server: ServerProcess, tmp_path: Path,
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    jdc = jdc_command(tmp_path_factory.getbasetemp())
    if isinstance(jdc, str):
        pytest.skip(jdc)
    env = {**os.environ, "HOME": str(tmp_path)}  # jdc keeps its profiles under ~/.jdc
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the first jdc run compiles what jdc imports, for the runs after it

    def run(*args: str) -> Any:
        done = subprocess.run([*jdc, *args], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def call(*args: str) -> dict[str, Any]:
        """jdc exits 0 on API errors too: the answer's error member is what says it failed."""
        reply: dict[str, Any] = json.loads(run("vm", *args, "--region-id", REGION))
        assert reply["error"] is None, reply
        return reply["result"]

    assert "successfully" in run("configure", "add", "--profile", "emulator", "--access-key", ALICE[0],
                                 "--secret-key", ALICE[1], "--region-id", REGION, "--endpoint", server.endpoint,
                                 "--scheme", "http")
    iid = call("create-instances", "--instance-spec", json.dumps(SPEC))["instanceIds"][0]
    assert call("describe-instance", "--instance-id", iid)["instance"]["status"] == "running"
    # Each command's success shows the one before took effect (a jdc run costs 1.5-2 s, so no describe between):
    # startInstance needs a stopped instance, stopInstance a running one, createImage a stopped one.
    call("stop-instance", "--instance-id", iid)
    call("start-instance", "--instance-id", iid)
    call("stop-instance", "--instance-id", iid)
    image = call("create-image", "--instance-id", iid, "--name", "client-image", "--description", "by jdc")["imageId"]
    assert image.startswith("img-")
    call("delete-instance", "--instance-id", iid)
    refused = json.loads(run("vm", "describe-instance", "--instance-id", iid, "--region-id", REGION))
    assert refused["error"]["code"] == 404  # gone, and jdc still exited 0


# ---- the JavaScript SDK ------------------------------------------------------------------------------------

JS_SESSION = r"""
const JDCloud = require('jdcloud-sdk-js')
const [endpoint, accessKeyId, secretAccessKey, spec] = process.argv.slice(2)
const vm = new JDCloud.VM({credentials: {accessKeyId, secretAccessKey}, regionId: 'cn-north-1',
                           endpoint: {host: endpoint, protocol: 'http'}, version: {vm: 'v1'}, logger: () => {}})
async function main () {
  const created = await vm.createInstances({instanceSpec: JSON.parse(spec)}, 'cn-north-1')
  const id = created.result.instanceIds[0]
  const listed = await vm.describeInstances({filters: [{name: 'instanceId', values: [id]}]}, 'cn-north-1')
  await vm.stopInstance({instanceId: id}, 'cn-north-1')  // the SDK sends ".../instances/<id>%3AstopInstance"
  const after = await vm.describeInstance({instanceId: id}, 'cn-north-1')
  console.log(JSON.stringify({id, listed: listed.result.totalCount, status: after.result.instance.status}))
}
main().catch(err => { console.error(JSON.stringify(err && (err.error || err.message || err))); process.exit(1) })
"""


def js_sdk(cache: Path) -> Path:
    """A directory with jdcloud-sdk-js installed from npm (bounded in time); skip when node or npm is absent."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: the JavaScript SDK session needs them")
    if not (cache / "node_modules" / "jdcloud-sdk-js").exists():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(cache),
                               "jdcloud-sdk-js"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"npm could not install jdcloud-sdk-js (no registry access?): {done.stderr[-300:]}")
    return cache


def test_the_javascript_sdk_creates_describes_and_stops(server: ServerProcess,
                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    directory = js_sdk(tmp_path_factory.getbasetemp() / "jdcloud-sdk-js")
    script = directory / "session.js"
    script.write_text(JS_SESSION, encoding="utf-8")
    done = subprocess.run(["node", str(script), server.endpoint, *ALICE, json.dumps({**SPEC, "name": "from-js"})],
                          capture_output=True, text=True, timeout=120, cwd=directory)
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["listed"] == 1 and answer["status"] == "stopped"
