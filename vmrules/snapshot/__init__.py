"""World snapshots: a JSON-compatible document holding a whole world, in the API's own camelCase shapes.

``world_to_dict(world)`` writes a snapshot; ``world_from_dict(data, make)`` reads one back, so that
``world_from_dict(world_to_dict(w), World) == w``. Reading validates the document against the pydantic shapes
below (strict JSON types, unknown fields refused), then checks ids and references, and only then builds
the world: a malformed snapshot raises one ``SnapshotError`` naming the path of the first problem
(``instances[3].systemDisk.diskCategory``) and never yields a half-built world. The format is described in
docs/world-format.md; ``world_json_schema()`` gives its JSON Schema (published as docs/world-schema.json).

Conventions of the format:

* every entity has the shape of the API's own model (vm service: Instance, Image, InstanceType, Keypair,
  InstanceTemplate; disk service: Disk, Snapshot; vpc service: NetworkInterface, ElasticIp, Subnet, Vpc,
  NetworkSecurityGroup; ag service: AvailabilityGroup), plus a few model-only fields (``ownerPin``,
  ``regionId``, ...) described as such in the schema;
* each fact has one home. Other resources are referenced by id; nested copies of another resource (an
  instance's ``cloudDisk``, its interfaces) are written as references and anything else in them is ignored;
  fields marked *derived* (an instance's ``privateIpAddress``, a disk's ``enable``, ...) are written for
  reading and ignored when read;
* times are ISO-8601 strings; ``""`` stands for "none" where the API uses it (``chargeExpiredTime``,
  ``snapshotId``, ``instanceId``);
* usage counters are not stored: they are recomputed (``vmrules.usage.recount_usage``).

The package: ``document`` (format, schema, shapes), ``writing``, ``reading``; users call ``World.from_dict``
and ``world.to_dict()``, or ``World.from_json(text)`` and ``world.to_json()`` for JSON text (the same
documents and errors; pydantic-core parses and writes the text, about half the time of ``json`` plus the dicts).
"""

from __future__ import annotations

from vmrules.snapshot.document import (
    FORMAT_VERSION,
    REGENERATE_SCHEMA,
    SCHEMA_ID,
    SnapshotError,
    WorldSnapshot,
    world_json_schema,
    world_schema_text,
)
from vmrules.snapshot.reading import world_from_dict, world_from_json
from vmrules.snapshot.writing import world_to_dict, world_to_json

__all__ = [
    "FORMAT_VERSION", "REGENERATE_SCHEMA", "SCHEMA_ID", "SnapshotError", "WorldSnapshot", "world_from_dict",
    "world_from_json", "world_json_schema", "world_schema_text", "world_to_dict", "world_to_json",
]
