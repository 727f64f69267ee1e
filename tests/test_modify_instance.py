"""modifyInstanceAttribute and modifyInstancePassword."""

from __future__ import annotations

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.ids import password_digest

GOOD = "Vm@Secret2468"
GOOD2 = "Tq#Lamp8642!"


# ---- modifyInstanceAttribute ------------------------------------------------------------------------


@pytest.mark.effect("MODIFY_INSTANCE_ATTRIBUTE.SETS_NAME_DESCRIPTION")
def test_modify_name_description_hostname(world: World) -> None:
    iid, world = instance(world, name="old", description="before")
    after = ok(run(world, "modifyInstanceAttribute", instanceId=iid, name="新名字-web_1", description="after",
                   hostname="web-1.internal"))
    inst = after.instances[iid]
    assert (inst.name, inst.description, inst.hostname) == ("新名字-web_1", "after", "web-1.internal")
    assert world.instances[iid].name == "old"  # the input world is unchanged
    shown = run(after, "describeInstance", instanceId=iid).result["instance"]
    assert (shown["instanceName"], shown["description"], shown["hostname"]) == (
        "新名字-web_1", "after", "web-1.internal")


@pytest.mark.effect("MODIFY_INSTANCE_ATTRIBUTE.SETS_NAME_DESCRIPTION")
def test_omitted_attributes_are_kept(world: World) -> None:
    iid, world = instance(world, name="keep", description="kept")
    after = ok(run(world, "modifyInstanceAttribute", instanceId=iid, description=""))
    assert (after.instances[iid].name, after.instances[iid].description) == ("keep", "")
    assert ok(run(world, "modifyInstanceAttribute", instanceId=iid)) is world


def test_modify_attribute_is_synchronous(world: World) -> None:
    iid, world = instance(world)
    busy = ok(run(world, "stopInstance", instanceId=iid))
    after = ok(run(busy, "modifyInstanceAttribute", instanceId=iid, name="renamed"))
    assert after.instances[iid].name == "renamed" and after.tasks == busy.tasks


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.NAME")
def test_name_rule(world: World) -> None:
    iid, world = instance(world)
    for bad in ("", "x" * 33, "web.1", "a b"):
        out = run(world, "modifyInstanceAttribute", instanceId=iid, name=bad)
        refused(out, "MODIFY_INSTANCE_ATTRIBUTE.NAME", "INVALID_ARGUMENT")
        assert out.error is not None and out.error.field == "name"
    ok(run(world, "modifyInstanceAttribute", instanceId=iid, name="x" * 32))


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.DESCRIPTION")
def test_description_rule(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "modifyInstanceAttribute", instanceId=iid, description="d" * 257),
            "MODIFY_INSTANCE_ATTRIBUTE.DESCRIPTION", "INVALID_ARGUMENT")
    ok(run(world, "modifyInstanceAttribute", instanceId=iid, description="任意字符 !@# " * 20))


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.HOSTNAME")
def test_hostname_rule(world: World) -> None:
    iid, world = instance(world)
    for bad in ("a", "-web", "web-", "we..b", "web_1", "h" * 65):
        refused(run(world, "modifyInstanceAttribute", instanceId=iid, hostname=bad),
                "MODIFY_INSTANCE_ATTRIBUTE.HOSTNAME", "INVALID_ARGUMENT")
    ok(run(world, "modifyInstanceAttribute", instanceId=iid, hostname="db-01.prod.example"))


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME")
def test_windows_hostname_rule(world: World) -> None:
    win, world = instance(world, image_id="img-win2012r2c")
    linux, world = instance(world)
    for bad in ("web.internal", "a" * 16, "12345"):
        refused(run(world, "modifyInstanceAttribute", instanceId=win, hostname=bad),
                "MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME", "INVALID_ARGUMENT")
        ok(run(world, "modifyInstanceAttribute", instanceId=linux, hostname=bad))
    ok(run(world, "modifyInstanceAttribute", instanceId=win, hostname="WEB-01"))


def test_modify_attribute_of_foreign_instance_is_not_found(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "modifyInstanceAttribute", caller="bob", instanceId=iid, name="mine"), "INSTANCE.EXISTS",
            "NOT_FOUND")


def test_wrong_types_are_invalid_argument(world: World) -> None:
    iid, world = instance(world)
    for params in ({"name": 7}, {"description": ["x"]}, {"hostname": None, "name": {"a": 1}}):
        out = run(world, "modifyInstanceAttribute", instanceId=iid, **params)
        assert out.error is not None and out.error.status == "INVALID_ARGUMENT"


# ---- modifyInstancePassword -------------------------------------------------------------------------


@pytest.mark.effect("MODIFY_INSTANCE_PASSWORD.APPLIES_AFTER_RESTART")
def test_password_pending_until_reboot(world: World) -> None:
    iid, world = instance(world, password_digest=password_digest(GOOD))
    changed = ok(run(world, "modifyInstancePassword", instanceId=iid, password=GOOD2))
    inst = changed.instances[iid]
    assert inst.password_digest == password_digest(GOOD)
    assert inst.pending_password_digest == password_digest(GOOD2)
    assert not changed.tasks
    rebooted = settle(ok(run(changed, "rebootInstance", instanceId=iid)))
    assert rebooted.instances[iid].password_digest == password_digest(GOOD2)
    assert rebooted.instances[iid].pending_password_digest is None


@pytest.mark.effect("MODIFY_INSTANCE_PASSWORD.APPLIES_AFTER_RESTART")
def test_password_applies_on_start_and_not_on_stop(world: World) -> None:
    iid, world = instance(world, status="stopped")
    changed = ok(run(world, "modifyInstancePassword", instanceId=iid, password=GOOD2))
    started = settle(ok(run(changed, "startInstance", instanceId=iid)))
    assert started.instances[iid].password_digest == password_digest(GOOD2)
    jid, world = instance(world)
    changed = ok(run(world, "modifyInstancePassword", instanceId=jid, password=GOOD2))
    stopped = settle(ok(run(changed, "stopInstance", instanceId=jid)))
    assert stopped.instances[jid].pending_password_digest == password_digest(GOOD2)


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_password_rules(world: World) -> None:
    iid, world = instance(world)
    for bad in ("Ab1!", "a" * 31, "JD@Secret2468", "Vm@Secret1234", "Vm@Abcret2468", "alllowercase1"):
        out = run(world, "modifyInstancePassword", instanceId=iid, password=bad)
        refused(out, "MODIFY_INSTANCE_PASSWORD.PASSWORD", "INVALID_ARGUMENT")
        assert out.error is not None and out.error.field == "password" and bad not in out.error.message
    ok(run(world, "modifyInstancePassword", instanceId=iid, password=GOOD))


def test_password_is_required(world: World) -> None:
    iid, world = instance(world)
    out = run(world, "modifyInstancePassword", instanceId=iid)
    assert out.error is not None and (out.error.status, out.error.field) == ("INVALID_ARGUMENT", "password")


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.NO_TASK")
def test_password_refused_while_a_task_runs(world: World) -> None:
    iid, world = instance(world)
    stopping = ok(run(world, "stopInstance", instanceId=iid))
    refused(run(stopping, "modifyInstancePassword", instanceId=iid, password=GOOD),
            "MODIFY_INSTANCE_PASSWORD.NO_TASK", "FAILED_PRECONDITION")
    ok(run(settle(stopping), "modifyInstancePassword", instanceId=iid, password=GOOD))


def test_password_of_foreign_instance_is_not_found(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "modifyInstancePassword", caller="bob", instanceId=iid, password=GOOD), "INSTANCE.EXISTS",
            "NOT_FOUND")
