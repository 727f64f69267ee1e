"""createInstances rules: the system disk and the data disks."""

from __future__ import annotations

from vmrules.operations.common import listed_exist_rule
from vmrules.operations.create.plan import (
    CLOUD_SYSTEM_DISK_MAX,
    CLOUD_SYSTEM_DISK_MIN,
    DATA_DISK_LIMITS,
    DATA_DISK_STEP,
    DISK_TYPES,
    LOCAL_SYSTEM_DISK_GB,
    CreateCtx,
    prepaid,
)
from vmrules.operations.create.request import SPEC
from vmrules.operations.data_disks import (
    AUTO_DELETE_SOURCE,
    DEVICE_NAME_RANGE,
    DEVICE_NAME_SOURCE,
    auto_delete_refusal,
    valid_device_name,
)
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.world import World

# ---- system disk ------------------------------------------------------------------------------------

SD = f"{SPEC}.systemDisk"


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_CATEGORY",
    phase=Phase.PARAMETERS,
    statement="The system disk's diskCategory is local or cloud.",
    source=seed("磁盘分类，系统盘支持local或cloud"),
    field=f"{SD}.diskCategory",
)
def system_disk_category(ctx: CreateCtx) -> Findings:
    cat = ctx.plan.system_category
    if cat is None or cat in ("local", "cloud"):
        return None
    return Finding(f"{SD}.diskCategory is {cat[:32]!r}; allowed local or cloud")


@rule(
    "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE",
    phase=Phase.PARAMETERS,
    statement="A local system disk is always 40 GB: its size cannot be given.",
    source=seed("local：不能指定大小，默认为40GB"),
    field=f"{SD}.cloudDiskSpec.diskSizeGB",
)
def local_system_disk_size(ctx: CreateCtx) -> Findings:
    if ctx.plan.system_category != "local" or ctx.plan.system_size is None:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskSizeGB is {ctx.plan.system_size}; a local system disk is always "
                   f"{LOCAL_SYSTEM_DISK_GB} GB and its size cannot be given")


@rule(
    "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="A local system disk is always deleted with the instance: autoDelete cannot be false.",
    source=seed("如果是local，默认自动删除，不能修改此属性"),
    field=f"{SD}.autoDelete",
)
def local_system_disk_auto_delete(ctx: CreateCtx) -> Findings:
    if ctx.plan.system_category != "local" or ctx.plan.system_auto_delete is not False:
        return None
    return Finding(f"{SD}.autoDelete is false; a local system disk is always deleted with its instance")


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_TYPE",
    phase=Phase.PARAMETERS,
    statement="A cloud system disk's diskType is ssd or premium-hdd.",
    source=inferred("the seed's cloud disk types (ssd, premium-hdd) apply to the system disk too"),
    field=f"{SD}.cloudDiskSpec.diskType",
)
def system_disk_type(ctx: CreateCtx) -> Findings:
    t = ctx.plan.system_type
    if ctx.plan.system_category != "cloud" or t is None or t in DISK_TYPES:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskType is {t[:32]!r}; allowed {' or '.join(DISK_TYPES)}")


@rule(
    "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE",
    phase=Phase.PARAMETERS,
    statement="A cloud system disk is 40 to 500 GB.",
    source=seed("cloud：取值范围: 40\\-500GB"),
    field=f"{SD}.cloudDiskSpec.diskSizeGB",
)
def cloud_system_disk_size(ctx: CreateCtx) -> Findings:
    size = ctx.plan.system_size
    if ctx.plan.system_category != "cloud" or size is None:
        return None
    if CLOUD_SYSTEM_DISK_MIN <= size <= CLOUD_SYSTEM_DISK_MAX:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskSizeGB is {size}; a cloud system disk takes "
                   f"{CLOUD_SYSTEM_DISK_MIN} to {CLOUD_SYSTEM_DISK_MAX} GB")


@rule(
    "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="Only a cloud system disk billed by configuration can be deleted with the instance: a prepaid "
    "instance's cloud system disk cannot have autoDelete true.",
    source=seed("如果是cloud类型的按配置计费的云硬盘，可以指定为True"),
    field=f"{SD}.autoDelete",
)
def cloud_system_disk_auto_delete(ctx: CreateCtx) -> Findings:
    if ctx.plan.system_category != "cloud" or ctx.plan.system_auto_delete is not True or not prepaid(ctx):
        return None
    if ctx.spec.systemDisk is None or ctx.spec.systemDisk.autoDelete is not True:
        return None  # a template's default autoDelete yields to prepaid billing
    return Finding(f"{SD}.autoDelete is true; only a cloud system disk billed by configuration can be deleted "
                   "with its instance, this one is prepaid")


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_MATCHES_IMAGE",
    phase=Phase.COMPATIBILITY,
    statement="The system disk's category matches the image's rootDeviceType (localDisk: local, cloudDisk: cloud).",
    source=inferred("a localDisk image boots from a local system disk and a cloudDisk image from a cloud one, "
                    "as rebuildInstance's seed sentence says for a change of image"),
    field=f"{SD}.diskCategory",
)
def system_disk_matches_image(ctx: CreateCtx) -> Findings:
    image, cat = ctx.image, ctx.plan.system_category
    if image is None or cat not in ("local", "cloud"):
        return None
    wanted = "local" if image.root_device_type == "localDisk" else "cloud"
    if cat == wanted:
        return None
    return Finding(f"{SD}.diskCategory is {cat}; image {image.image_id} has rootDeviceType "
                   f"{image.root_device_type}, which needs a {wanted} system disk")


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_IMAGE_SIZE",
    phase=Phase.COMPATIBILITY,
    statement="A cloud system disk is not smaller than the image's system disk.",
    source=seed("并且不能小于镜像的最小系统盘大小"),
    field=f"{SD}.cloudDiskSpec.diskSizeGB",
)
def system_disk_image_size(ctx: CreateCtx) -> Findings:
    image, size = ctx.image, ctx.plan.system_size
    if image is None or size is None or ctx.plan.system_category != "cloud" or size >= image.system_disk_size_gb:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskSizeGB is {size}; image {image.image_id} needs at least "
                   f"{image.system_disk_size_gb} GB")


# ---- data disks -------------------------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.DATA_DISK_CATEGORY",
    phase=Phase.PARAMETERS,
    statement="Data disks are cloud disks.",
    source=seed("磁盘分类，数据盘仅支持cloud"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_category(ctx: CreateCtx) -> Findings:
    return [Finding(f"{d.path}.diskCategory is {str(d.category)[:32]!r}; a data disk must be cloud",
                    f"{d.path}.diskCategory") for d in ctx.plan.data_disks if d.category != "cloud"]


@rule(
    "CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="A new data disk needs cloudDiskSpec with diskType, and diskSizeGB unless it comes from a snapshot.",
    source=sdk_doc("DiskSpec: diskType and diskSizeGB are the parameters not marked (Optional): "
                   "云硬盘类型，取值为ssd、premium-hdd…; 云硬盘大小，单位为 GiB…"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_spec_required(ctx: CreateCtx) -> Findings:
    found = []
    for d in ctx.plan.data_disks:
        if d.category != "cloud":
            continue
        if d.disk_type is None:
            found.append(Finding(f"{d.path}.cloudDiskSpec.diskType is required", f"{d.path}.cloudDiskSpec.diskType"))
        if d.size_gb is None and d.snapshot_id is None:
            found.append(Finding(f"{d.path}.cloudDiskSpec.diskSizeGB is required unless snapshotId is given",
                                 f"{d.path}.cloudDiskSpec.diskSizeGB"))
    return found


@rule(
    "CREATE_INSTANCES.DATA_DISK_TYPE",
    phase=Phase.PARAMETERS,
    statement="A data disk's diskType is ssd or premium-hdd.",
    source=seed("云硬盘类型可以选择ssd、premium\\-hdd"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_type(ctx: CreateCtx) -> Findings:
    return [Finding(f"{d.path}.cloudDiskSpec.diskType is {d.disk_type[:32]!r}; allowed {' or '.join(DISK_TYPES)}",
                    f"{d.path}.cloudDiskSpec.diskType")
            for d in ctx.plan.data_disks
            if d.category == "cloud" and d.disk_type is not None and d.disk_type not in DISK_TYPES]


def _size_rule(rule_id: str, disk_type: str, quote: str) -> Rule[CreateCtx]:
    low, high = DATA_DISK_LIMITS[disk_type]

    def check(ctx: CreateCtx) -> Findings:
        found = []
        for d in ctx.plan.data_disks:
            if d.category != "cloud" or d.disk_type != disk_type or d.size_gb is None:
                continue
            if low <= d.size_gb <= high and d.size_gb % DATA_DISK_STEP == 0:
                continue
            path = f"{d.path}.cloudDiskSpec.diskSizeGB"
            found.append(Finding(f"{path} is {d.size_gb}; a {disk_type} data disk takes {low} to {high} GB in "
                                 f"steps of {DATA_DISK_STEP}", path))
        return found

    return Rule(rule_id, Phase.PARAMETERS,
                f"A {disk_type} data disk is {low} to {high} GB in steps of {DATA_DISK_STEP}.",
                seed(quote), f"{SPEC}.dataDisks", check)


data_disk_size_ssd = _size_rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "ssd", "ssd：范围[20,1000]GB，步长为10G")
data_disk_size_hdd = _size_rule("CREATE_INSTANCES.DATA_DISK_SIZE_HDD", "premium-hdd",
                                "premium\\-hdd：范围[20,3000]GB，步长为10G")


@rule(
    "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME",
    phase=Phase.PARAMETERS,
    statement=f"A data disk's deviceName is {DEVICE_NAME_RANGE} and names one disk only; noDevice needs a "
    "deviceName.",
    source=DEVICE_NAME_SOURCE,
    field=f"{SPEC}.dataDisks",
)
def data_disk_device_name(ctx: CreateCtx) -> Findings:
    found = []
    seen: set[str] = set()
    for i, d in enumerate(ctx.spec.dataDisks or ()):
        if d.deviceName is None:
            if d.noDevice:
                found.append(Finding(f"{SPEC}.dataDisks.{i}.noDevice needs a deviceName to drop",
                                     f"{SPEC}.dataDisks.{i}.deviceName"))
            continue
        path = f"{SPEC}.dataDisks.{i}.deviceName"
        if not valid_device_name(d.deviceName):
            found.append(Finding(f"{path} is {d.deviceName[:32]!r}; allowed {DEVICE_NAME_RANGE}", path))
        elif d.deviceName in seen:
            found.append(Finding(f"{path} {d.deviceName} is given to more than one data disk", path))
        seen.add(d.deviceName)
    return found


@rule(
    "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="A data disk given with autoDelete true is billed by configuration and not multi-attach.",
    source=AUTO_DELETE_SOURCE,
    field=f"{SPEC}.dataDisks",
)
def data_disk_auto_delete(ctx: CreateCtx) -> Findings:
    found = []
    for d in ctx.plan.data_disks:
        if d.origin != "request" or d.auto_delete is not True:
            continue
        why = auto_delete_refusal(prepaid=prepaid(ctx), multi_attachable=d.multi_attachable)
        if why is not None:
            found.append(Finding(f"{d.path}.autoDelete is true, but the disk cannot be deleted with its instance: "
                                 f"{why}", f"{d.path}.autoDelete"))
    return found


def _count_rule(rule_id: str, category: str, limit: int, quote: str) -> Rule[CreateCtx]:
    def check(ctx: CreateCtx) -> Findings:
        n = len(ctx.plan.data_disks)
        if ctx.plan.system_category != category or n <= limit:
            return None
        return Finding(f"{SPEC}.dataDisks has {n} disks; an instance with a {category} system disk can have at "
                       f"most {limit}")

    return Rule(rule_id, Phase.PARAMETERS,
                f"An instance with a {category} system disk has at most {limit} data disks.",
                seed(quote), f"{SPEC}.dataDisks", check)


data_disk_count_local = _count_rule("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL", "local", 8,
                                    "local类型系统的云主机可以挂载8块云硬盘")
data_disk_count_cloud = _count_rule("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", "cloud", 7,
                                    "cloud类型系统的云主机可以挂载7块云硬盘")


data_disk_snapshot_exists: Rule[CreateCtx] = listed_exist_rule(
    "CREATE_INSTANCES.DATA_DISK_SNAPSHOT_EXISTS", "snapshot", f"{SPEC}.dataDisks",
    lambda ctx: [(d.path, d.snapshot_id) for d in ctx.plan.data_disks
                 if d.origin != "image" and d.snapshot_id is not None],
    World.snapshot, path=lambda disk_path: f"{disk_path}.cloudDiskSpec.snapshotId",
    statement="A data disk's snapshotId names a snapshot of the caller in the region.",
    source=inferred("a snapshot of another account or region is not found (the seed only says a data disk can be "
                    "made from a snapshot: 可以指定SnapshotId创建云硬盘)"), region_checked=False,
)


@rule(
    "CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE",
    phase=Phase.COMPATIBILITY,
    statement="A data disk made from a snapshot is not smaller than the snapshot.",
    source=sdk_doc("CloudDiskSpec.diskSizeGB: 云盘容量需要大于快照容量，默认为快照容量，单位GiB。 "
                   "(read as: not smaller; the default equals the snapshot's size)"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_snapshot_size(ctx: CreateCtx) -> Findings:
    found = []
    for d in ctx.plan.data_disks:
        if d.snapshot_id is None or d.size_gb is None or d.origin == "image":
            continue
        snap = ctx.world.snapshot(ctx.caller, ctx.region, d.snapshot_id)
        if snap is not None and d.size_gb < snap.size_gb:
            found.append(Finding(f"{d.path}.cloudDiskSpec.diskSizeGB is {d.size_gb}; snapshot {snap.snapshot_id} "
                                 f"needs at least {snap.size_gb} GB", f"{d.path}.cloudDiskSpec.diskSizeGB"))
    return found
