"""The parameter constraints a JSON Schema can carry, declared once per rule as data.

Each ``Constraint`` says: rule ``rule`` of operation ``operation`` limits the value at ``path`` (dot-separated,
``[]`` for list items) to the JSON Schema keywords in ``keywords`` — optionally only when the sibling ``when``
field of the enclosing object has a given value (emitted as ``if``/``then``). The numbers are the operations'
own constants (the same names the rule functions read: ``MAX_COUNT``, ``DATA_DISK_LIMITS``, ``NAME_MAX``, ...),
so a changed limit changes the rule and the schema together; tests/test_schema.py checks every constraint
against its rule at the edge, and property_tests/test_schema_agreement.py measures the agreement overall.

Rules a schema cannot express (they depend on the world, or relate values in ways JSON Schema cannot state)
are listed by ``inexpressible_rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from vmrules.catalogue import RULES
from vmrules.model import IMAGE_STATUSES
from vmrules.operations.create.plan import (
    CLIENT_TOKEN_MAX,
    CLOUD_SYSTEM_DISK_MAX,
    CLOUD_SYSTEM_DISK_MIN,
    DATA_DISK_LIMITS,
    DATA_DISK_STEP,
    DISK_TYPES,
    EIP_BANDWIDTH_MAX,
    EIP_BANDWIDTH_MIN,
    EIP_PROVIDERS,
    MAX_COUNT,
    SECURITY_GROUPS_MAX,
)
from vmrules.operations.describe import INSTANCES_FILTERS, STATUS_FILTERS
from vmrules.operations.filters import FILTER_OPERATORS, PAGE_SIZE_MAX, PAGE_SIZE_MIN
from vmrules.operations.image_queries import ARCHITECTURES, IMAGE_SOURCES, ROOT_DEVICE_TYPES
from vmrules.operations.images.copying import COPY_IMAGES_MAX
from vmrules.operations.images.create import DATA_DISK_SIZES
from vmrules.operations.instance_types import KEYS as INSTANCE_TYPE_FILTERS
from vmrules.operations.instance_types import SERVICE_NAMES
from vmrules.operations.params import (
    DESCRIPTION_MAX,
    HOSTNAME_MAX,
    HOSTNAME_MIN,
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
)
from vmrules.operations.quotas import RESOURCE_TYPES
from vmrules.rules import Phase

JSON = dict[str, Any]

# The characters of 公共参数规范's name rule (G3), as the name rule's ``_name_char`` accepts them.
NAME_PATTERN = "^[\u4e00-\u9fff0-9A-Za-z_-]+$"
# An ordered name may carry one "[digits]" counter token, which counts as its digits (2 more characters).
ORDERED_NAME_PATTERN = "^[\u4e00-\u9fff0-9A-Za-z_\\[\\]-]+$"
ORDERED_EXTRA = len("[]")
DEVICE_NAME_PATTERN = "^vd([b-z]|a[a-z]|b[a-m])$"  # every data disk's device name: vdb..vdz, then vdaa..vdbm
IPV4_PATTERN = r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"
CHARGE_MODES = ("prepaid_by_duration", "postpaid_by_duration", "postpaid_by_usage")
INSTANCE_CHARGE_MODES = ("prepaid_by_duration", "postpaid_by_duration")
SYSTEM_DISK_CATEGORIES = ("local", "cloud")


@dataclass(frozen=True, slots=True)
class Constraint:
    """Rule ``rule`` limits ``path`` of ``operation``'s request to ``keywords`` (when ``when`` holds)."""

    operation: str
    rule: str
    path: str
    keywords: JSON
    when: tuple[str, Any] | None = None  # (sibling field name, the value it must have)
    # Where the field named by ``when`` is, when not beside ``path``: the path of an enclosing object.
    where: str | None = None


def _name(op: str, rule: str, path: str, *, ordered: bool = False) -> Constraint:
    extra = ORDERED_EXTRA if ordered else 0
    return Constraint(op, rule, path, {"minLength": 1, "maxLength": NAME_MAX + extra,
                                       "pattern": ORDERED_NAME_PATTERN if ordered else NAME_PATTERN})


def _description(op: str, rule: str, path: str) -> Constraint:
    return Constraint(op, rule, path, {"maxLength": DESCRIPTION_MAX})


def _password(op: str, rule: str, path: str) -> Constraint:
    return Constraint(op, rule, path, {"minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX})


def _hostname(op: str, rule: str, path: str, *, ordered: bool = False) -> Constraint:
    extra = ORDERED_EXTRA if ordered else 0
    return Constraint(op, rule, path, {"minLength": HOSTNAME_MIN, "maxLength": HOSTNAME_MAX + extra})


def _listing(op: str, prefix: str, filter_names: Iterable[str] | None) -> Iterator[Constraint]:
    yield Constraint(op, f"{prefix}.PAGE_NUMBER", "pageNumber", {"minimum": 1})
    yield Constraint(op, f"{prefix}.PAGE_SIZE", "pageSize", {"minimum": PAGE_SIZE_MIN, "maximum": PAGE_SIZE_MAX})
    if filter_names is not None:
        yield Constraint(op, f"{prefix}.FILTER_NAME", "filters[].name", {"enum": list(filter_names)})
        yield Constraint(op, f"{prefix}.FILTER_OPERATOR", "filters[].operator", {"enum": list(FILTER_OPERATORS)})
        yield Constraint(op, f"{prefix}.FILTER_VALUES", "filters[].values", {"minItems": 1})


def _create_instances() -> Iterator[Constraint]:
    op, p, s = "createInstances", "CREATE_INSTANCES", "instanceSpec"
    sd, nic = f"{s}.systemDisk", f"{s}.primaryNetworkInterface"
    yield Constraint(op, f"{p}.MAX_COUNT", "maxCount", {"minimum": 1, "maximum": MAX_COUNT})
    yield Constraint(op, f"{p}.CLIENT_TOKEN_LENGTH", "clientToken", {"maxLength": CLIENT_TOKEN_MAX})
    yield _name(op, f"{p}.NAME", f"{s}.name", ordered=True)
    yield _hostname(op, f"{p}.HOSTNAME", f"{s}.hostname", ordered=True)
    yield _password(op, f"{p}.PASSWORD", f"{s}.password")
    yield _description(op, f"{p}.DESCRIPTION", f"{s}.description")
    yield Constraint(op, f"{p}.KEY_COUNT", f"{s}.keyNames", {"maxItems": 1})
    yield Constraint(op, f"{p}.CHARGE_MODE", f"{s}.charge.chargeMode", {"enum": list(INSTANCE_CHARGE_MODES)})
    yield Constraint(op, f"{p}.EIP_BANDWIDTH", f"{s}.elasticIp.bandwidthMbps",
                     {"minimum": EIP_BANDWIDTH_MIN, "maximum": EIP_BANDWIDTH_MAX, "multipleOf": 1})
    yield Constraint(op, f"{p}.EIP_PROVIDER", f"{s}.elasticIp.provider", {"enum": list(EIP_PROVIDERS)})
    yield Constraint(op, f"{p}.EIP_CHARGE_MODE", f"{s}.elasticIp.chargeSpec.chargeMode",
                     {"enum": list(CHARGE_MODES)})
    yield Constraint(op, f"{p}.SYSTEM_DISK_CATEGORY", f"{sd}.diskCategory", {"enum": list(SYSTEM_DISK_CATEGORIES)})
    # diskCategory is systemDisk's own field, one level above the cloudDiskSpec these limit
    yield Constraint(op, f"{p}.SYSTEM_DISK_TYPE", f"{sd}.cloudDiskSpec.diskType", {"enum": list(DISK_TYPES)},
                     when=("diskCategory", "cloud"), where=sd)
    yield Constraint(op, f"{p}.CLOUD_SYSTEM_DISK_SIZE", f"{sd}.cloudDiskSpec.diskSizeGB",
                     {"minimum": CLOUD_SYSTEM_DISK_MIN, "maximum": CLOUD_SYSTEM_DISK_MAX},
                     when=("diskCategory", "cloud"), where=sd)
    yield Constraint(op, f"{p}.LOCAL_SYSTEM_DISK_SIZE", f"{sd}.cloudDiskSpec.diskSizeGB", {"not": {}},
                     when=("diskCategory", "local"), where=sd)
    yield Constraint(op, f"{p}.LOCAL_SYSTEM_DISK_AUTO_DELETE", f"{sd}.autoDelete", {"const": True},
                     when=("diskCategory", "local"))
    dd = f"{s}.dataDisks[]"
    yield Constraint(op, f"{p}.DATA_DISK_COUNT_LOCAL", f"{s}.dataDisks", {"maxItems": 8})
    yield Constraint(op, f"{p}.DATA_DISK_CATEGORY", f"{dd}.diskCategory", {"enum": ["cloud"]})
    yield Constraint(op, f"{p}.DATA_DISK_TYPE", f"{dd}.cloudDiskSpec.diskType", {"enum": list(DISK_TYPES)})
    for disk_type, rule in (("ssd", "DATA_DISK_SIZE_SSD"), ("premium-hdd", "DATA_DISK_SIZE_HDD")):
        low, high = DATA_DISK_LIMITS[disk_type]
        yield Constraint(op, f"{p}.{rule}", f"{dd}.cloudDiskSpec.diskSizeGB",
                         {"minimum": low, "maximum": high, "multipleOf": DATA_DISK_STEP},
                         when=("diskType", disk_type))
    yield Constraint(op, f"{p}.DATA_DISK_DEVICE_NAME", f"{dd}.deviceName", {"pattern": DEVICE_NAME_PATTERN})
    yield Constraint(op, f"{p}.DEVICE_INDEX", f"{nic}.deviceIndex", {"const": 1})
    yield Constraint(op, f"{p}.NIC_AUTO_DELETE", f"{nic}.autoDelete", {"const": True})
    n = f"{nic}.networkInterface"
    yield _name(op, f"{p}.NIC_NAME", f"{n}.networkInterfaceName")
    yield _description(op, f"{p}.NIC_DESCRIPTION", f"{n}.description")
    yield Constraint(op, f"{p}.PRIMARY_IP_FORMAT", f"{n}.primaryIpAddress", {"pattern": IPV4_PATTERN})
    yield Constraint(op, f"{p}.SANITY_CHECK", f"{n}.sanityCheck", {"enum": [0, 1]})
    yield Constraint(op, f"{p}.SECURITY_GROUP_COUNT", f"{n}.securityGroups",
                     {"maxItems": SECURITY_GROUPS_MAX, "uniqueItems": True})


def _images() -> Iterator[Constraint]:
    yield _name("createImage", "CREATE_IMAGE.NAME", "name")
    yield _description("createImage", "CREATE_IMAGE.DESCRIPTION", "description")
    yield Constraint("createImage", "CREATE_IMAGE.DATA_DISK_CATEGORY", "dataDisks[].diskCategory", {"enum": ["cloud"]})
    yield Constraint("createImage", "CREATE_IMAGE.DATA_DISK_DEVICE_NAME", "dataDisks[].deviceName",
                     {"pattern": DEVICE_NAME_PATTERN})
    yield Constraint("createImage", "CREATE_IMAGE.DATA_DISK_SPEC", "dataDisks[].cloudDiskSpec.diskType",
                     {"enum": list(DATA_DISK_SIZES)})
    for disk_type, (low, high) in DATA_DISK_SIZES.items():
        yield Constraint("createImage", "CREATE_IMAGE.DATA_DISK_SPEC", "dataDisks[].cloudDiskSpec.diskSizeGB",
                         {"minimum": low, "maximum": high, "multipleOf": DATA_DISK_STEP},
                         when=("diskType", disk_type))
    yield Constraint("copyImages", "COPY_IMAGES.IDS_COUNT", "sourceImageIds",
                     {"minItems": 1, "maxItems": COPY_IMAGES_MAX})
    yield Constraint("copyImages", "COPY_IMAGES.IDS_UNIQUE", "sourceImageIds", {"uniqueItems": True})
    yield _name("copyImages", "COPY_IMAGES.NAME", "name")
    yield _description("copyImages", "COPY_IMAGES.DESCRIPTION", "description")
    yield _name("modifyImageAttribute", "MODIFY_IMAGE_ATTRIBUTE.NAME", "name")
    yield _description("modifyImageAttribute", "MODIFY_IMAGE_ATTRIBUTE.DESCRIPTION", "description")
    yield from _listing("describeImages", "DESCRIBE_IMAGES", None)
    yield Constraint("describeImages", "DESCRIBE_IMAGES.ARCHITECTURE", "architecture", {"enum": list(ARCHITECTURES)})
    yield Constraint("describeImages", "DESCRIBE_IMAGES.ROOT_DEVICE_TYPE", "rootDeviceType",
                     {"enum": list(ROOT_DEVICE_TYPES)})
    yield Constraint("describeImages", "DESCRIBE_IMAGES.SOURCE", "imageSource", {"enum": list(IMAGE_SOURCES)})
    yield Constraint("describeImages", "DESCRIBE_IMAGES.STATUS", "status", {"enum": list(IMAGE_STATUSES)})


def _instances() -> Iterator[Constraint]:
    yield Constraint("attachDisk", "ATTACH_DISK.DEVICE_NAME_FORMAT", "deviceName",
                     {"pattern": DEVICE_NAME_PATTERN})
    yield _name("modifyInstanceAttribute", "MODIFY_INSTANCE_ATTRIBUTE.NAME", "name")
    yield _description("modifyInstanceAttribute", "MODIFY_INSTANCE_ATTRIBUTE.DESCRIPTION", "description")
    yield _hostname("modifyInstanceAttribute", "MODIFY_INSTANCE_ATTRIBUTE.HOSTNAME", "hostname")
    yield _password("modifyInstancePassword", "MODIFY_INSTANCE_PASSWORD.PASSWORD", "password")
    yield _hostname("rebuildInstance", "REBUILD_INSTANCE.HOSTNAME", "hostname")
    yield _password("rebuildInstance", "REBUILD_INSTANCE.PASSWORD", "password")
    yield Constraint("rebuildInstance", "REBUILD_INSTANCE.SINGLE_KEY", "keyNames", {"maxItems": 1})
    yield from _listing("describeInstances", "DESCRIBE_INSTANCES", (k.name for k in INSTANCES_FILTERS))
    yield from _listing("describeInstanceStatus", "DESCRIBE_INSTANCE_STATUS", (k.name for k in STATUS_FILTERS))
    yield from _listing("describeInstancePrivateIpAddress", "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS",
                        (k.name for k in STATUS_FILTERS))
    types = "describeInstanceTypes"
    yield Constraint(types, "DESCRIBE_INSTANCE_TYPES.SERVICE_NAME", "serviceName", {"enum": list(SERVICE_NAMES)})
    yield Constraint(types, "DESCRIBE_INSTANCE_TYPES.FILTER_NAME", "filters[].name",
                     {"enum": [k.name for k in INSTANCE_TYPE_FILTERS]})
    yield Constraint(types, "DESCRIBE_INSTANCE_TYPES.FILTER_OPERATOR", "filters[].operator",
                     {"enum": list(FILTER_OPERATORS)})
    yield Constraint(types, "DESCRIBE_INSTANCE_TYPES.FILTER_VALUES", "filters[].values", {"minItems": 1})
    quotas = "describeQuotas"
    yield Constraint(quotas, "DESCRIBE_QUOTAS.FILTER_NAME", "filters[].name", {"enum": ["resourceTypes"]})
    yield Constraint(quotas, "DESCRIBE_QUOTAS.FILTER_OPERATOR", "filters[].operator", {"enum": list(FILTER_OPERATORS)})
    yield Constraint(quotas, "DESCRIBE_QUOTAS.FILTER_VALUES", "filters[].values", {"minItems": 1})
    yield Constraint(quotas, "DESCRIBE_QUOTAS.RESOURCE_TYPE", "filters[].values",  # its only filter's values
                     {"items": {"type": "string", "enum": list(RESOURCE_TYPES)}})
    # SDK parameters the world cannot answer: present (or, for tags and offline, narrowing) is refused
    yield Constraint("describeInstances", "DESCRIBE_INSTANCES.TAGS", "tags", {"maxItems": 0})
    for name in ("launchPermission", "bootMode"):
        yield Constraint("describeImages", "DESCRIBE_IMAGES.UNMODELLED", name, {"not": {}})
    yield Constraint("describeImages", "DESCRIBE_IMAGES.UNMODELLED", "offline", {"enum": [False]})
    yield Constraint("describeInstanceTypes", "DESCRIBE_INSTANCE_TYPES.CHARGE_MODE", "chargeMode", {"not": {}})


# Object-level constraints: JSON Schema keywords on the object at ``path`` ("" for the request itself).
OBJECT_CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("describeImages", "DESCRIBE_IMAGES.SOURCE_OR_IDS", "",
               {"anyOf": [{"required": ["imageSource"]}, {"required": ["ids"]}]}),
    Constraint("shareImage", "SHARE_IMAGE.ACCOUNTS_GIVEN", "",
               {"anyOf": [{"required": ["pins"], "properties": {"pins": {"minItems": 1}}},
                          {"required": ["loginNames"], "properties": {"loginNames": {"minItems": 1}}}]}),
    Constraint("unShareImage", "UNSHARE_IMAGE.ACCOUNTS_GIVEN", "",
               {"anyOf": [{"required": ["pins"], "properties": {"pins": {"minItems": 1}}},
                          {"required": ["loginNames"], "properties": {"loginNames": {"minItems": 1}}}]}),
    Constraint("modifyInstanceDiskAttribute", "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_REQUIRED", "dataDisks[]",
               {"required": ["diskId"]}),
    Constraint("modifyInstanceNetworkAttribute", "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_REQUIRED", "networks[]",
               {"required": ["networkInterfaceId"]}),
    Constraint("createImage", "CREATE_IMAGE.DATA_DISK_DEVICE_NAME", "dataDisks[]", {"required": ["deviceName"]}),
    Constraint("createInstances", "CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", "instanceSpec",
               {"if": {"required": ["systemDisk"],
                       "properties": {"systemDisk": {"required": ["diskCategory"],
                                                     "properties": {"diskCategory": {"const": "cloud"}}}}},
                "then": {"properties": {"dataDisks": {"maxItems": 7}}}}),
    Constraint("createInstances", "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME", "instanceSpec.dataDisks[]",
               {"if": {"required": ["noDevice"], "properties": {"noDevice": {"const": True}}},
                "then": {"required": ["deviceName"]}}),
    *(Constraint(op, f"{prefix}.FILTER_VALUES", "filters[]",
                 {"if": {"required": ["name"], "properties": {"name": {"enum": singles}}},
                  "then": {"properties": {"values": {"maxItems": 1}}}})
      for op, prefix, singles in (
          ("describeInstances", "DESCRIBE_INSTANCES", [k.name for k in INSTANCES_FILTERS if k.single]),
          ("describeInstanceStatus", "DESCRIBE_INSTANCE_STATUS", [k.name for k in STATUS_FILTERS if k.single]),
          ("describeInstancePrivateIpAddress", "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS",
           [k.name for k in STATUS_FILTERS if k.single]),
          ("describeInstanceTypes", "DESCRIBE_INSTANCE_TYPES", [k.name for k in INSTANCE_TYPE_FILTERS if k.single]),
      ) if singles),  # the filters that take exactly one value (支持单个)
)

CONSTRAINTS: tuple[Constraint, ...] = (*_create_instances(), *_images(), *_instances())


def constraints_for(operation: str) -> list[Constraint]:
    """The field constraints of one operation's request."""
    return [c for c in CONSTRAINTS if c.operation == operation]


def object_constraints_for(operation: str) -> list[Constraint]:
    return [c for c in OBJECT_CONSTRAINTS if c.operation == operation]


def expressed_rules() -> set[str]:
    """Every rule id some schema constraint carries (besides the REQUEST rules, which types and required carry)."""
    return {c.rule for c in (*CONSTRAINTS, *OBJECT_CONSTRAINTS)}


# REQUEST rules a schema carries through its types, ``required`` and (strict) ``additionalProperties``.
STRUCTURAL_RULES: frozenset[str] = frozenset(
    {"REQUEST.NOT_AN_OBJECT", "REQUEST.REQUIRED", "REQUEST.TYPE", "REQUEST.UNKNOWN_FIELD"})
# Rules a schema made for a world's regions carries (``request_schema(..., regions=...)``).
REGION_RULES: frozenset[str] = frozenset({"COMMON.REGION_EXISTS", "COPY_IMAGES.DESTINATION_EXISTS"})


def inexpressible_rules() -> list[str]:
    """The REQUEST and PARAMETERS rules no schema carries. Most relate values JSON Schema cannot compare
    (destination vs source region, an ordered-name counter against maxCount, unique ids inside objects), need
    the world (the caller's own pin, the region's AZs, instance types) or are about Python objects rather than
    JSON (REQUEST.UNREADABLE, REQUEST.UNKNOWN_OPERATION); a few (CHARGE_DURATION, the createInstances modes)
    could be written as nested conditionals and are not yet."""
    carried = expressed_rules() | STRUCTURAL_RULES | REGION_RULES
    return sorted(r.id for r in RULES if r.phase <= Phase.PARAMETERS and r.id not in carried)
