"""The defaults of the world's public dataclasses (vmrules.model), for a world built by hand.

The builders and the snapshot reader pass every field, so these defaults matter only to code that makes model
objects itself: every time is the world's epoch (0, 1970-01-01T00:00:00Z in a snapshot), every listing position
0, and the other fields as below."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vmrules.catalogue import CATALOGUE, catalogue_as_json
from vmrules.effects import effect
from vmrules.model import (
    Charge,
    Disk,
    DiskAttachment,
    ElasticIp,
    Image,
    Instance,
    InstanceTemplate,
    Keypair,
    NetworkInterface,
    Snapshot,
    SystemDisk,
    TemplateDisk,
)
from vmrules.rules import inferred


def test_times_and_positions_default_to_zero() -> None:
    image = Image("img-x", "alice", "cn-north-1", "x", "private", "CentOS", "linux", "7.6", "cloudDisk", 40)
    disk = Disk("vol-x", "alice", "cn-north-1", "cn-north-1a", "d", "ssd", 20)
    inst = Instance("i-x", "alice", "cn-north-1", "cn-north-1a", "vm", "g.n2.medium", "img-x", "linux", "running",
                    "vpc-x", "subnet-x", "port-x", SystemDisk("cloud"))
    nic = NetworkInterface("port-x", "alice", "cn-north-1", "cn-north-1a", "vpc-x", "subnet-x", "10.0.1.4",
                           "Primary")
    eip = ElasticIp("fip-x", "alice", "cn-north-1", "1.2.3.4", 1)
    template = InstanceTemplate("it-x", "alice", "cn-north-1", "t", "g.n2.medium", "img-x", "vpc-x", "subnet-x",
                                (), TemplateDisk("cloud", "ssd", 40))
    assert (Charge().start_time, image.create_time, image.size_mb, DiskAttachment("i-x", "attached").attach_time,
            disk.create_time, inst.launch_time, inst.seq, nic.create_time, nic.device_index, eip.create_time,
            Keypair("k", "alice", "cn-north-1", "f").create_time,
            Snapshot("snapshot-x", "alice", "cn-north-1", "ssd", 20).create_time,
            template.create_time) == (0,) * 13
    assert nic.sanity_check == 1  # the source/destination check is on unless turned off


def test_a_request_level_rule_governs_every_operation_in_the_rules_json() -> None:
    by_id = {entry["id"]: entry for entry in catalogue_as_json()}
    assert by_id["REQUEST.UNREADABLE"]["operations"] == ["*"]
    assert CATALOGUE["REQUEST.UNREADABLE"].governs_every_operation
    assert by_id["SHARE_IMAGE.MEMBER_LIMIT"]["operations"] == ["shareImage"]
    assert by_id["INSTANCE.EXISTS"]["operations"] == list(CATALOGUE["INSTANCE.EXISTS"].operations)
    assert len(by_id["INSTANCE.EXISTS"]["operations"]) > 1


def test_an_effect_id_declared_twice_or_naming_a_rule_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from vmrules import catalogue

    shared = effect("X.SHARED", "change", "a change", inferred("a test"))
    monkeypatch.setattr(catalogue, "OPERATION_TABLE", {
        "stopInstance": SimpleNamespace(effects=(shared,)), "startInstance": SimpleNamespace(effects=(shared,))})
    with pytest.raises(ValueError, match=r"X\.SHARED is declared twice"):
        catalogue._build_effects()
    named_like_a_rule = effect("INSTANCE.EXISTS", "change", "a change", inferred("a test"))
    monkeypatch.setattr(catalogue, "OPERATION_TABLE", {"stopInstance": SimpleNamespace(effects=(named_like_a_rule,))})
    with pytest.raises(ValueError, match=r"INSTANCE\.EXISTS is declared twice or names a rule"):
        catalogue._build_effects()
