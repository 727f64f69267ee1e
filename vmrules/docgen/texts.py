"""Hand-maintained text the generator cannot derive: English summaries of the seed's descriptions, the
reasons why some seed sentences carry no rule, and documented parameter defaults.

Everything here is checked by the generator against the seed and the operation table: a reason whose sentence
is not in the seed, or a default for a parameter the request model does not have, is reported as a problem.
"""

from __future__ import annotations

# ---- English summaries of the seed's description cells (faithful, not adding anything) ---------------

SUMMARIES: dict[str, str] = {
    "associateElasticIp": "Binds an elastic IP to the primary private IP of the instance's primary network "
    "interface. An instance can hold one elastic IP (on its primary interface); if the primary interface already "
    "has one, the call fails.",
    "attachDisk": "Attaches one data disk (a cloud disk) to an instance. Neither the instance nor the disk may "
    "have a task in progress, and the instance must be running or stopped. An instance whose system disk is "
    "local can hold 8 data disks; one whose system disk is a cloud disk can hold 7.",
    "attachNetworkInterface": "Attaches an elastic network interface to an instance. The instance must be "
    "running or stopped with no task in progress. If the interface carries an elastic IP, that IP's availability "
    "zone must equal the instance's, or the IP must span all zones. The number of interfaces may not exceed the "
    "instance type's limit (see describeInstanceTypes). The interface and the instance must be in the same VPC.",
    "copyImages": "Copies private images to another region; only the caller's own private images may be used, "
    "and only images whose rootDeviceType is cloudDisk.",
    "createImage": "Creates a private image from an instance. The instance must be stopped and have no task in "
    "progress. The image is based on the system disk; all or some attached data disks may be included as a "
    "whole-machine image (by default all are), and snapshots of the attached cloud disks are taken and linked to "
    "the image. The image can be used once its status is ready.",
    "createInstances": "Creates one or more instances of a given configuration, in one of three modes: normal, "
    "through an availability group, or from a launch template (the required parameters differ per mode). The "
    "account must be real-name verified. The instance type must not be offline or sold out. SQL Server 2014 on "
    "Windows Server 2012 R2 needs more than 1 GB of memory; Windows Server images allow at most 64 CPU cores; the "
    "image must support the instance type. Network: subnetId is required; an elastic IP's bandwidth is 1-100 "
    "Mbps in steps of 1; giving primaryIpAddress forces maxCount 1; security groups must be in the subnet's VPC; "
    "one to five security groups (the default group when none is given); the primary interface has deviceIndex "
    "1. Storage: the system disk is local or cloud; a local one cannot be sized (40 GB) and is always deleted with "
    "the instance; a cloud one is 40-500 GB, not smaller than the image's system disk, defaulting to the "
    "image's size, and may be set to auto-delete when billed by configuration. Data disks are cloud disks of type "
    "ssd (20-1000 GB) or premium-hdd (20-3000 GB), in steps of 10 GB, auto-deleted by default (no effect for "
    "prepaid or shared disks), and may be created from a snapshot; at most 8 with a local system disk, 7 with a "
    "cloud one. Billing: an elastic IP may be billed by usage on its own, otherwise it follows the instance; "
    "cloud disks follow the instance. Other: instances end up running; only Linux instances may take a key; "
    "maxCount is best effort; the instance's zone overrides the disks' zone. Passwords follow the public "
    "parameter rules.",
    "deleteImage": "Deletes a private image; only the caller's own private images. An image shared with other "
    "accounts must be unshared first.",
    "deleteInstance": "Deletes one instance billed by configuration, or a prepaid one that has expired. An "
    "instance without billing information cannot be deleted. The instance must be running, stopped or error, "
    "with no task in progress. An unexpired prepaid instance cannot be deleted. Attached data disks billed by "
    "configuration, not shared and with AutoDelete true are deleted with the instance. A sensitive operation "
    "that can be MFA-protected.",
    "describeImage": "Returns the details of one image.",
    "describeImageConstraints": "Returns an image's instance-type constraints: the instance types the image does "
    "not support. Only official and third-party images have such constraints; personal private images have none.",
    "describeImageConstraintsBatch": "The same as describeImageConstraints for several images at once.",
    "describeImageMembers": "Lists the accounts an image is shared with; only the caller's own private images.",
    "describeImages": "Lists images: official, third-party, the caller's private images and images shared with "
    "the caller. Paged, 20 per page by default.",
    "describeInstance": "Returns the details of one instance.",
    "describeInstancePrivateIpAddress": "Lists instances' private IP addresses: the primary IP of each primary "
    "network interface.",
    "describeInstanceStatus": "Lists instances' statuses.",
    "describeInstanceTypes": "Lists instance types.",
    "describeInstanceVncUrl": "Returns a VNC address for managing the instance. The address is valid for one "
    "hour; unused within the hour it expires and must be requested again.",
    "describeInstances": "Lists instances with their details. Paged, 20 per page by default.",
    "describeQuotas": "Returns quotas for instances, images, keypairs and templates.",
    "detachDisk": "Detaches a data disk from an instance; neither the instance nor the disk may have a task in "
    "progress.",
    "detachNetworkInterface": "Detaches an elastic network interface. The instance must be running or stopped "
    "with no task in progress. The primary interface cannot be detached.",
    "disassociateElasticIp": "Unbinds the elastic IP of the primary private IP of the primary network interface.",
    "modifyImageAttribute": "Changes an image's name and description; only the caller's own private images.",
    "modifyInstanceAttribute": "Changes an instance's name and description.",
    "modifyInstanceDiskAttribute": "Changes attributes of attached data disks, including whether they are deleted "
    "with the instance.",
    "modifyInstanceNetworkAttribute": "Changes attributes of attached network interfaces, including whether they "
    "are deleted with the instance. The primary interface cannot be changed.",
    "modifyInstancePassword": "Changes the instance's password, only when no task is in progress. The new "
    "password takes effect after the instance restarts.",
    "rebootInstance": "Reboots one instance; only a running instance with no task in progress.",
    "rebuildInstance": "Reinstalls the instance's system from an image. The instance must be stopped. An instance "
    "with a local system disk needs a localDisk image; one with a cloud system disk needs a cloudDisk image. "
    "Without imageId the instance's current image is used. The image must support the instance's type.",
    "resizeInstance": "Changes the instance type. The instance must be stopped. No change between generation 1 "
    "and generation 2 types for instances with a cloud system disk created in 2016, with a local system disk, or "
    "created through an availability group; other cloud-system-disk instances may change generation. Refused "
    "when the instance has more network interfaces than the new type allows, when its image does not support "
    "the new type, and when the instance is in arrears or expired.",
    "shareImage": "Shares an image; only the caller's own private images, with at most 20 accounts per image. "
    "Whole-machine images cannot be shared.",
    "startInstance": "Starts one instance; only a stopped instance with no task in progress, and only when its "
    "billing status is normal.",
    "stopInstance": "Stops one instance; only a running instance with no task in progress.",
    "unShareImage": "Withdraws the sharing of an image; only the caller's own private images.",
}

# ---- why a seed sentence has no rule ----------------------------------------------------------------------

LINK = "links to another API page for information; no behaviour of its own"
HEADING = "a heading of the bullets below it; the bullets carry the constraints"
PURPOSE = "says what the operation does; the transition and its result are shown by the worked example"
RESULT = "describes the content of the result, not a refusal; shown by the worked example"
TRANSITION = "describes the effect of the transition, not a refusal; applied by the operation and shown in " \
    "its spec"
PERMISSION = "a permission, not a restriction: nothing is refused because of it"

REASONS: dict[tuple[str, str], str] = {
    ("associateElasticIp", "为云主机主网卡下的主内网IP绑定弹性公网IP。"): TRANSITION,
    ("attachNetworkInterface", "云主机挂载一块弹性网卡。"): PURPOSE,
    ("attachNetworkInterface", '可查询<a href="https://www.jdcloud.com/help/detail/2901/isCatalog/1">'
     "DescribeInstanceTypes</a>接口获得指定规格可挂载弹性网卡的数量上限。"): LINK,
    ("createImage", "为云主机创建私有镜像。"): PURPOSE,
    ("createImage", "制作镜像以备份系统盘为基础，在此之上可选择全部或部分挂载数据盘制作整机镜像"
     "（如不做任何更改将默认制作整机镜像），制作镜像过程会为所挂载云硬盘创建快照并与镜像关联。"): TRANSITION,
    ("createInstances", "创建一台或多台指定配置的云主机，创建模式分为三种："
     "1.普通方式、2.使用高可用组、3.使用启动模板。"):
        PURPOSE + "; the modes' required parameters are rules with source guide",
    ("createInstances", "三种方式创建云主机时参数的必传与非必传是不同的，具体请参考<a href=\"https://www.jdcloud.com/"
     "help/detail/3383/isCatalog/1\">参数详细说明</a>"):
        "links to the 参数详细说明 page; the per-mode required parameters it gives are rules with source guide",
    ("createInstances", "\\- 实例规格"): HEADING,
    ("createInstances", '\\- 可查询<a href="https://www.jdcloud.com/help/detail/2901/isCatalog/1">'
     "DescribeInstanceTypes</a>接口获得指定地域或可用区的规格信息。"): LINK,
    ("createInstances", "\\- 镜像"): HEADING,
    ("createInstances", '\\- 可查询<a href="https://www.jdcloud.com/help/detail/2874/isCatalog/1">DescribeImages'
     "</a>接口获得指定地域的镜像信息。"): LINK,
    ("createInstances", '可查询<a href="https://www.jdcloud.com/help/detail/2872/isCatalog/1">'
     "DescribeImageConstraints</a>接口获得指定镜像的实例规格限制信息。"): LINK,
    ("createInstances", "\\- 可以指定SnapshotId创建云硬盘"):
        PERMISSION + "; an unknown snapshotId is CREATE_INSTANCES.DATA_DISK_SNAPSHOT_EXISTS (inferred)",
    ("createInstances", "\\- 可以从快照创建磁盘"):
        PERMISSION + "; the size of a disk made from a snapshot is CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE (sdk-doc)",
    ("createInstances", "\\- 网络配置"): HEADING,
    ("createInstances", "\\- 指定主网卡配置信息"): HEADING,
    ("createInstances", "\\- 存储"): HEADING,
    ("createInstances", "\\- 系统盘"): HEADING,
    ("createInstances", "\\- 磁盘大小"): HEADING,
    ("createInstances", "\\- 自动删除"): HEADING,
    ("createInstances", "\\- 数据盘"): HEADING,
    ("createInstances", "\\- 计费"): HEADING,
    ("createInstances", "\\- 其他"): HEADING,
    ("createInstances", "\\- 创建完成后，主机状态为running"): TRANSITION,
    ("createInstances", "\\- maxCount为最大努力，不保证一定能达到maxCount"): PERMISSION + " (it allows fewer "
     "instances than maxCount)",
    ("createInstances", "\\- 虚机的az会覆盖磁盘的az属性"): TRANSITION + " (a disk's own az is replaced, never "
     "refused)",
    ("createInstances", "\\- 默认自动删除，如果是包年包月的数据盘或共享型数据盘，此参数不生效"):
        "a default (autoDelete true) and where it has no effect (prepaid or shared disks get false); applied by "
        "createInstances, nothing is refused",
    ("createInstances", "\\- 云硬盘的计费模式以主机为准"): TRANSITION + " (the cloud disks take the instance's "
     "billing; a disk spec's own charge is not used)",
    ("createInstances", "\\- 密码"): HEADING,
    ("createInstances", '\\- <a href="https://www.jdcloud.com/help/detail/3870/isCatalog/1">参考公共参数规范</a>'):
        "links to the public parameter rules (公共参数规范); the password rules it gives are rules with source "
        "guide",
    ("deleteInstance", "删除按配置计费、或包年包月已到期的单个云主机。"): "says which instances the operation "
     "deletes; the condition it sets is sentence 4's (an unexpired prepaid instance cannot be deleted)",
    ("deleteInstance", "如果主机中挂载的数据盘为按配置计费的云硬盘，并且不是共享型云硬盘，并且AutoDelete属性为true，"
     "那么数据盘会随主机一起删除。"): TRANSITION,
    ("deleteInstance", '敏感操作，可开启<a href="https://www.jdcloud.com/help/detail/3786/isCatalog/1">'
     "MFA操作保护</a>"): "MFA protection is an optional account setting checked by the gateway before the API "
     "runs; no parameter or state of the model is involved",
    ("describeImage", "查询镜像详情。"): PURPOSE,
    ("describeImageConstraints", "查询镜像的实例规格限制。"): PURPOSE,
    ("describeImageConstraints", "通过此接口可以查看镜像不支持的实例规格。"): RESULT,
    ("describeImageConstraints", "只有官方镜像、第三方镜像有实例规格的限制，个人的私有镜像没有此限制。"): RESULT,
    ("describeImageConstraintsBatch", "批量查询镜像的实例规格限制。"): PURPOSE,
    ("describeImageConstraintsBatch", "通过此接口可以查看镜像不支持的实例规格。"): RESULT,
    ("describeImageConstraintsBatch", "只有官方镜像、第三方镜像有实例规格的限制，个人的私有镜像没有此限制。"): RESULT,
    ("describeImages", "查询镜像信息列表。"): PURPOSE,
    ("describeImages", "通过此接口可以查询到京东云官方镜像、第三方镜像、私有镜像、或其他用户共享给您的镜像。"): RESULT,
    ("describeImages", "此接口支持分页查询，默认每页20条。"): "a default (pageSize 20) applied by the operation; "
     "nothing is refused because of it",
    ("describeInstance", "查询一台云主机的详细信息"): PURPOSE,
    ("describeInstancePrivateIpAddress", "批量查询云主机内网IP地址，查询的是主网卡内网主IP地址。"): RESULT,
    ("describeInstanceStatus", "批量查询云主机状态"): PURPOSE,
    ("describeInstanceTypes", "查询实例规格信息列表"): PURPOSE,
    ("describeInstanceVncUrl", "获取云主机vnc，用于连接管理云主机。"): PURPOSE,
    ("describeInstanceVncUrl", "vnc地址的有效期为1个小时，调用接口获取vnc地址后如果1个小时内没有使用，vnc地址自动失效，"
     "再次使用需要重新获取。"): "the lifetime of the returned address concerns the VNC console, not any API "
     "call: no request is refused because of it",
    ("describeInstances", "批量查询云主机的详细信息"): PURPOSE,
    ("describeInstances", "此接口支持分页查询，默认每页20条。"): "a default (pageSize 20) applied by the operation; "
     "nothing is refused because of it",
    ("describeQuotas", "查询配额，支持：云主机、镜像、密钥、模板"): RESULT,
    ("detachNetworkInterface", "云主机缷载一块弹性网卡。"): PURPOSE,
    ("disassociateElasticIp", "云主机解绑弹性公网IP，解绑的是主网卡、内网主IP对应的弹性公网IP。"): TRANSITION,
    ("modifyInstanceAttribute", "修改云主机部分信息，包括名称、描述。"): PURPOSE,
    ("modifyInstanceDiskAttribute", "修改云主机挂载的数据盘属性，包括是否随主机删除。"): PURPOSE,
    ("modifyInstanceNetworkAttribute", "修改虚机弹性网卡属性，包括是否随云主机一起删除。"): PURPOSE,
    ("modifyInstancePassword", "修改密码后，需要重启云主机后生效。"): TRANSITION + " (the password applies at the "
     "next start or reboot)",
    ("rebuildInstance", "云主机使用指定镜像重置云主机系统"): PURPOSE,
    ("rebuildInstance", '可查询<a href="https://www.jdcloud.com/help/detail/2874/isCatalog/1">DescribeImages</a>'
     "接口获得指定地域的镜像信息。"): LINK,
    ("rebuildInstance", "若不指定镜像ID，默认使用当前主机的原镜像重置系统。"): "a default (the instance's current "
     "image) applied by the operation; nothing is refused because of it",
    ("rebuildInstance", '可查询<a href="https://www.jdcloud.com/help/detail/2872/isCatalog/1">'
     "DescribeImageConstraints</a>接口获得指定镜像支持的系统盘类型信息。"): LINK,
    ("resizeInstance", "云主机变更实例规格"): PURPOSE,
    ("resizeInstance", "云硬盘(cloud类型)做系统盘的主机，一代与二代实例规格允许相互调整。"): PERMISSION,
    ("resizeInstance", '可查询<a href="https://www.jdcloud.com/help/detail/2901/isCatalog/1">'
     "DescribeInstanceTypes</a>接口获得指定地域及可用区下的实例规格信息。"): LINK,
    ("resizeInstance", '可查询<a href="https://www.jdcloud.com/help/detail/2872/isCatalog/1">'
     "DescribeImageConstraints</a>接口获得指定镜像的实例规格限制信息。"): LINK,
}

# ---- documented defaults of optional parameters (fact sheet §3 and §4) -----------------------------------
# (operation, parameter path) -> the default the operation applies when the parameter is absent. Paths use
# "[]" for list items. Shown in the spec's parameter table; an entry whose parameter is not in the request model
# of an implemented operation is reported as a problem.

DEFAULTS: dict[tuple[str, str], str] = {
    ("attachDisk", "autoDelete"): "false",
    ("attachNetworkInterface", "autoDelete"): "false",
    ("copyImages", "name"): "the source image's name",
    ("createInstances", "maxCount"): "1",
    ("deleteImage", "deleteSnapshot"): "false",
    ("deleteInstance", "deletePrimaryNetworkInterfaceAllElasticIp"): "false",
    ("describeImages", "pageNumber"): "1",
    ("describeImages", "pageSize"): "20",
    ("describeInstancePrivateIpAddress", "pageNumber"): "1",
    ("describeInstancePrivateIpAddress", "pageSize"): "20",
    ("describeInstanceStatus", "pageNumber"): "1",
    ("describeInstanceStatus", "pageSize"): "20",
    ("describeInstances", "pageNumber"): "1",
    ("describeInstances", "pageSize"): "20",
    ("detachDisk", "force"): "false",
    ("rebuildInstance", "imageId"): "the instance's current image",
    ("resizeInstance", "force"): "false",
}
