"""The embedded default world: a small, realistic JD Cloud account set-up to run requests against.

Every id here is fixed and readable so that examples and tests can name resources; ids created later are
derived from the world's sequence number. The contents are documented in docs/world-format.md.
"""

from __future__ import annotations

from immutables import Map

from vmrules.builders import reindex_subnets
from vmrules.clock import DEFAULT_EPOCH
from vmrules.model import DEFAULT_QUOTAS as DEFAULT_QUOTAS  # re-exported: builders and tests name it here
from vmrules.model import (
    PLATFORM_OWNER,
    Account,
    AvailabilityGroup,
    AzStock,
    Charge,
    Disk,
    ElasticIp,
    Gpu,
    Image,
    ImageConstraint,
    InstanceTemplate,
    InstanceType,
    Keypair,
    LocalDisk,
    NetworkInterface,
    Region,
    SecurityGroup,
    Snapshot,
    Subnet,
    TemplateDisk,
    Vpc,
)
from vmrules.state import W
from vmrules.usage import recount_usage

MAIN = "alice"  # the default caller: real-name verified, owns the networks and disks below
SECOND = "bob"  # a second verified account with its own network in cn-north-1 (image sharing, isolation)
UNVERIFIED = "carol"  # has not passed real-name verification (实名认证)
MEMBERS = tuple(f"member{n:02d}" for n in range(1, 26))  # 25 more accounts to share images with

NORTH = "cn-north-1"
REGIONS = (
    Region(NORTH, ("cn-north-1a", "cn-north-1b", "cn-north-1c")),
    Region("cn-east-2", ("cn-east-2a", "cn-east-2b", "cn-east-2c")),
    Region("cn-south-1", ("cn-south-1a", "cn-south-1b")),
)
ALL_AZS = tuple(az for r in REGIONS for az in r.azs)



def _type(name: str, family: str, generation: int, cpu: int, memory_gb: float, nic_limit: int, *,
          sold_out_in: tuple[str, ...] = (), offline: bool = False, gpu: Gpu | None = None,
          local_disks: tuple[LocalDisk, ...] = (), desc: str = "") -> InstanceType:
    state = tuple(AzStock(az, az not in sold_out_in) for az in ALL_AZS)
    return InstanceType(name, family, generation, cpu, int(memory_gb * 1024), nic_limit, desc or name, state,
                        gpu, local_disks, offline)


INSTANCE_TYPES = (
    _type("g.n1.small", "g.n1", 1, 1, 4, 2, offline=True, desc="general purpose, generation 1 (offline)"),
    _type("g.n1.medium", "g.n1", 1, 2, 8, 2),
    _type("g.n1.large", "g.n1", 1, 4, 16, 3),
    _type("c.n1.large", "c.n1", 1, 4, 8, 3),
    _type("g.n2.micro", "g.n2", 2, 1, 1, 1, desc="1 vCPU, 1 GB: too small for SQL Server images"),
    _type("g.n2.medium", "g.n2", 2, 2, 8, 2),
    _type("g.n2.large", "g.n2", 2, 4, 16, 3),
    _type("g.n2.xlarge", "g.n2", 2, 8, 32, 4),
    _type("g.n2.4xlarge", "g.n2", 2, 32, 128, 8, sold_out_in=("cn-north-1a",),
          desc="sold out in cn-north-1a"),
    _type("g.n2.24xlarge", "g.n2", 2, 96, 384, 8, desc="96 vCPU: more than Windows Server allows"),
    _type("c.n2.large", "c.n2", 2, 4, 8, 3),
    _type("m.n2.large", "m.n2", 2, 4, 32, 3),
    _type("s.n2.xlarge", "s.n2", 2, 8, 32, 4, local_disks=(LocalDisk("NVMe SSD", 1788),),
          desc="local NVMe data disk"),
    _type("p.n2.2xlarge", "p.n2", 2, 8, 64, 4, gpu=Gpu("Tesla P40", 1), desc="GPU"),
)

SQL_SERVER_IMAGE_NAME = "Windows Server 2012 R2 标准版 64位 中文版 SQL Server 2014 标准版 SP2"


def _official(image_id: str, region: str, name: str, platform: str, os_type: str, version: str,
              root: str, size: int, *, source: str = "public",
              constraint: ImageConstraint | None = None) -> Image:
    return Image(image_id, PLATFORM_OWNER, region, name, source, platform, os_type, version, root,  # type: ignore[arg-type]
                 size, "ready", "x86_64", DEFAULT_EPOCH - 86400 * 200, size * 1024 // 4, name,
                 constraint=constraint)


IMAGES = (
    _official("img-centos7cld", NORTH, "CentOS 7.6 64位", "CentOS", "linux", "7.6", "cloudDisk", 40),
    _official("img-centos7lcl", NORTH, "CentOS 7.6 64位 (local)", "CentOS", "linux", "7.6", "localDisk", 40),
    _official("img-ubuntu18cd", NORTH, "Ubuntu 18.04 64位", "Ubuntu", "linux", "18.04", "cloudDisk", 40,
              constraint=ImageConstraint("excludes", ("g.n1.medium", "g.n1.large", "c.n1.large"))),
    _official("img-win2012r2c", NORTH, "Windows Server 2012 R2 标准版 64位 中文版", "Windows Server",
              "windows", "2012 R2", "cloudDisk", 40),
    _official("img-win12sql14", NORTH, SQL_SERVER_IMAGE_NAME, "Windows Server", "windows", "2012 R2", "cloudDisk",
              50),
    _official("img-lampthird1", NORTH, "LAMP on CentOS 7 (third-party)", "CentOS", "linux", "7.6",
              "cloudDisk", 60, source="thirdparty",
              constraint=ImageConstraint("includes", ("g.n2.medium", "g.n2.large", "g.n2.xlarge"))),
    _official("img-centos7ea2", "cn-east-2", "CentOS 7.6 64位", "CentOS", "linux", "7.6", "cloudDisk", 40),
    _official("img-centos7so1", "cn-south-1", "CentOS 7.6 64位", "CentOS", "linux", "7.6", "cloudDisk", 40),
)

MAIN_VPC = "vpc-main000001"
SECOND_VPC = "vpc-second0001"
BOB_VPC = "vpc-bobnet0001"


def _networks() -> tuple[list[Vpc], list[Subnet], list[SecurityGroup]]:
    vpcs = [
        Vpc(MAIN_VPC, MAIN, NORTH, "main", "10.0.0.0/16"),
        Vpc(SECOND_VPC, MAIN, NORTH, "second", "172.16.0.0/16"),
        Vpc(BOB_VPC, SECOND, NORTH, "bob-main", "10.0.0.0/16"),
    ]
    subnets = [
        Subnet("subnet-main00001a", MAIN, NORTH, MAIN_VPC, "cn-north-1a", "main-1a", "10.0.1.0/24"),
        Subnet("subnet-main00001b", MAIN, NORTH, MAIN_VPC, "cn-north-1b", "main-1b", "10.0.2.0/24"),
        Subnet("subnet-main00001c", MAIN, NORTH, MAIN_VPC, "cn-north-1c", "main-1c", "10.0.3.0/24"),
        Subnet("subnet-second001a", MAIN, NORTH, SECOND_VPC, "cn-north-1a", "second-1a", "172.16.1.0/24"),
        Subnet("subnet-bobnet001a", SECOND, NORTH, BOB_VPC, "cn-north-1a", "bob-1a", "10.0.1.0/24"),
    ]
    groups = [SecurityGroup("sg-maindefault", MAIN, NORTH, MAIN_VPC, "default", True, "default group")]
    groups += [SecurityGroup(f"sg-main0000{n:02d}", MAIN, NORTH, MAIN_VPC, f"main-{n}") for n in range(1, 7)]
    groups += [
        SecurityGroup("sg-seconddeflt", MAIN, NORTH, SECOND_VPC, "default", True, "default group"),
        SecurityGroup("sg-second00001", MAIN, NORTH, SECOND_VPC, "second-1"),
        SecurityGroup("sg-bobdefault1", SECOND, NORTH, BOB_VPC, "default", True, "default group"),
    ]
    return vpcs, subnets, groups


PREPAID = Charge("prepaid_by_duration", "normal", DEFAULT_EPOCH - 86400 * 30, DEFAULT_EPOCH + 86400 * 335)


def _disks() -> list[Disk]:
    created = DEFAULT_EPOCH - 86400 * 10
    north_1a = [
        ("vol-ssd0000001", "ssd", 20), ("vol-ssd0000002", "ssd", 40), ("vol-ssd0000003", "ssd", 100),
        ("vol-ssd0000004", "ssd", 200), ("vol-ssd0000005", "ssd", 500), ("vol-hdd0000001", "premium-hdd", 20),
        ("vol-hdd0000002", "premium-hdd", 100), ("vol-hdd0000003", "premium-hdd", 500),
        ("vol-hdd0000004", "premium-hdd", 1000), ("vol-hdd0000005", "premium-hdd", 3000),
    ]
    disks = [Disk(d, MAIN, NORTH, "cn-north-1a", f"data-{d[4:]}", t, s, create_time=created)
             for d, t, s in north_1a]
    disks.append(Disk("vol-shared00001", MAIN, NORTH, "cn-north-1a", "shared-data", "ssd", 100,
                      multi_attachable=True, create_time=created))
    disks.append(Disk("vol-prepaid0001", MAIN, NORTH, "cn-north-1a", "prepaid-data", "ssd", 100,
                      charge=PREPAID, create_time=created))
    disks.append(Disk("vol-ssd1b00001", MAIN, NORTH, "cn-north-1b", "data-1b", "ssd", 100, create_time=created))
    disks.append(Disk("vol-bobssd0001", SECOND, NORTH, "cn-north-1a", "bob-data", "ssd", 100, create_time=created))
    return disks


def _elastic_ips() -> list[ElasticIp]:
    return [
        ElasticIp("fip-free00001a", MAIN, NORTH, "116.196.10.1", 5, az="cn-north-1a"),
        ElasticIp("fip-free000all", MAIN, NORTH, "116.196.10.2", 10, az=""),
        ElasticIp("fip-free00001b", MAIN, NORTH, "116.196.10.3", 5, az="cn-north-1b"),
        ElasticIp("fip-free00002a", MAIN, NORTH, "116.196.10.4", 20, az="cn-north-1a"),
        ElasticIp("fip-onnic0001b", MAIN, NORTH, "116.196.10.5", 5, az="cn-north-1b",
                  nic_id="port-eni1beip01", private_ip="10.0.1.251"),
        ElasticIp("fip-onnic00all", MAIN, NORTH, "116.196.10.6", 5, az="",
                  nic_id="port-eniallip01", private_ip="10.0.1.252"),
        ElasticIp("fip-bobfree001", SECOND, NORTH, "116.196.20.1", 5, az="cn-north-1a"),
    ]


def _network_interfaces() -> list[NetworkInterface]:
    # Fixed addresses sit at the top of their subnets (.250 and up) so that addresses handed out in order from
    # .4 (``builders.allocate_ip``) never collide with them.
    def eni(nic_id: str, ip: str, eip: str | None = None, vpc: str = MAIN_VPC,
            subnet: str = "subnet-main00001a", sg: str = "sg-maindefault", owner: str = MAIN) -> NetworkInterface:
        return NetworkInterface(nic_id, owner, NORTH, "cn-north-1a", vpc, subnet, ip, "Secondary",
                                name=f"eni-{nic_id[5:]}", security_group_ids=(sg,),
                                mac_address=f"fa:16:3e:00:00:{int(ip.split('.')[-1]):02x}",
                                elastic_ip_id=eip, create_time=DEFAULT_EPOCH - 86400)

    return [
        eni("port-eniplain01", "10.0.1.250"),
        eni("port-eni1beip01", "10.0.1.251", "fip-onnic0001b"),
        eni("port-eniallip01", "10.0.1.252", "fip-onnic00all"),
        eni("port-eniplain02", "10.0.1.253"),
        eni("port-enisecond1", "172.16.1.250", vpc=SECOND_VPC, subnet="subnet-second001a", sg="sg-seconddeflt"),
    ]


def default_world(make: type[W]) -> W:
    """The default world, as a world of class ``make`` (``World.default()`` passes ``World``)."""
    accounts = [Account(MAIN, True, DEFAULT_QUOTAS), Account(SECOND, True, DEFAULT_QUOTAS),
                Account(UNVERIFIED, False, DEFAULT_QUOTAS)]
    accounts += [Account(pin, True, DEFAULT_QUOTAS) for pin in MEMBERS]
    vpcs, subnets, groups = _networks()
    keypairs = [Keypair("alice-key", MAIN, NORTH, "9e:2b:6c:41:8f:10:aa:3c:5d:77:01:c2:9b:e4:1f:60",
                        DEFAULT_EPOCH - 86400 * 5),
                Keypair("ops-key", MAIN, NORTH, "1a:07:e3:55:92:bc:4d:0e:6f:a8:33:71:c9:2d:b5:88",
                        DEFAULT_EPOCH - 86400 * 3)]
    snapshots = [
        Snapshot("snapshot-ssd0000001", MAIN, NORTH, "ssd", 40, create_time=DEFAULT_EPOCH - 86400 * 2),
        Snapshot("snapshot-hdd0000001", MAIN, NORTH, "premium-hdd", 100, create_time=DEFAULT_EPOCH - 86400 * 2),
    ]
    template = InstanceTemplate(
        "lt-web00000001", MAIN, NORTH, "web-template", "g.n2.medium", "img-centos7cld", MAIN_VPC,
        "subnet-main00001a", ("sg-maindefault",), TemplateDisk("cloud", "ssd", 40),
        "CentOS web server", (TemplateDisk("cloud", "premium-hdd", 100, True, None, "vdb"),), 5, (),
        DEFAULT_EPOCH - 86400)
    ag = AvailabilityGroup("ag-web00000001", MAIN, NORTH, "web-ag", template.template_id,
                           ("cn-north-1a", "cn-north-1b", "cn-north-1c"))
    nics = _network_interfaces()
    world = make(
        clock=DEFAULT_EPOCH,
        default_account=MAIN,
        regions=Map({r.region_id: r for r in REGIONS}),
        accounts=Map({a.pin: a for a in accounts}),
        instance_types=Map({t.instance_type: t for t in INSTANCE_TYPES}),
        images=Map({i.image_id: i for i in IMAGES}),
        disks=Map({d.disk_id: d for d in _disks()}),
        network_interfaces=Map({n.nic_id: n for n in nics}),
        elastic_ips=Map({e.elastic_ip_id: e for e in _elastic_ips()}),
        vpcs=Map({v.vpc_id: v for v in vpcs}),
        subnets=Map({s.subnet_id: s for s in subnets}),
        security_groups=Map({g.security_group_id: g for g in groups}),
        keypairs=Map({(k.owner, k.region, k.key_name): k for k in keypairs}),
        snapshots=Map({s.snapshot_id: s for s in snapshots}),
        templates=Map({template.template_id: template}),
        availability_groups=Map({ag.ag_id: ag}),
    )
    return reindex_subnets(world).evolve(usage=recount_usage(world))  # alice: 2 keypairs, 1 template
