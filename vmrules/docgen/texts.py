"""Hand-maintained text the generator cannot derive: English summaries of the seed's descriptions and the
documented defaults of parameters no effect declares (the map from seed sentences to rules and effects is
vmrules/docgen/tracemap.py).

Everything here is checked by the generator against the seed and the operation table: a default for a parameter
the request model does not have is reported as a problem.
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

# ---- documented defaults of optional parameters (fact sheet §3 and §4) -----------------------------------
# (operation, parameter path) -> the default the operation applies when the parameter is absent. Paths use
# "[]" for list items. Shown in the spec's parameter table; an entry whose parameter is not in the request model
# of an implemented operation is reported as a problem.

DEFAULTS: dict[tuple[str, str], str] = {
    ("copyImages", "name"): "the source image's name",
    ("describeImages", "pageNumber"): "1",
    ("describeInstancePrivateIpAddress", "pageNumber"): "1",
    ("describeInstanceStatus", "pageNumber"): "1",
    ("describeInstances", "pageNumber"): "1",
    ("detachDisk", "force"): "false",
    ("resizeInstance", "force"): "false",
}
