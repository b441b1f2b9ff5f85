"""lab-vm: boot and tear down a lab of qemu (TCG) VMs wired through bridges
inside a network namespace. Used by lab/molecule/vm/{create,destroy}.yml and
by `make lab`; see docs/lab.md ("VM platform").

  lab-vm up SPEC.json [--instances FILE] [--timeout S]
  lab-vm down LAB
  lab-vm link LAB VM NIC off|on        (the QEMU monitor's set_link)
  lab-vm status LAB
  lab-vm ssh LAB VM [COMMAND...]

SPEC.json: {"lab": "NAME", "internet": true, ["mgmt_uplink": "BRIDGE",
            "host_address": "GATEWAY",]
            "vms": [{"name": "lab_vm-a", "hostname": "a", "memory": 768,
                     "cpus": 1, "nics": [{"bridge": "mgmt",
                     "address": "172.30.3.11/24"}, {"bridge": "data"}]}]}
nics[0] of every VM is its management NIC (eth0): all on one bridge, each
with an address; this machine gets the subnet's .254 on a veth into that
bridge (and, with "internet", NAT to the outside through it). NIC i is eth<i>
inside the VM (net.ifnames=0, PCI slots in NIC order). With "mgmt_uplink",
the management bridge is plugged into that bridge of this machine instead
(no address, no NAT: the uplink's owner routes; host_address is then the
VMs' default gateway). "disks": [{"size": "2G"}] adds empty virtio disks
(/dev/vdb, ...).
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LAB_CACHE", LAB_DIR / "cache"))
VM_CACHE = CACHE / "vm"
RUN = CACHE / "run"
KEY = VM_CACHE / "id_ed25519"
# LAB_VM_VERBOSE=1: full kernel and systemd output in <state>/<vm>.console.log
QUIET = "" if os.environ.get("LAB_VM_VERBOSE") else "quiet loglevel=3 systemd.show_status=error"
SSH_OPTS = [
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes",
]


# The first command over SSH once a VM answers: it proves the login works and
# dates the apt lists directory back to 2000, as the container image does.
# The disk carries no apt lists (its packages are baked in), and that
# directory's mtime, which ansible.builtin.apt's cache_valid_time reads, was
# the disk's build time: roles refreshing "when older than an hour" fetched
# the lists and roles refreshing "when older than a day" did not, depending
# on the disk's age, and a scenario that crossed the disk's 24-hour mark in
# mid-run saw such a refresh turn from ok into a change between its steps
# (make test run 15: hardware_lab's check step failed so). Dated back, the
# first refresh in every VM fetches the lists (a change, in converge), and
# every later one within the hour or day is ok, whatever the disk's age.
# (Stamping it fresh instead made host_hygiene's package install fail on the
# lab's nfs1: empty lists that looked current.)
BOOT_PROBE = "touch -c -d 2000-01-01 /var/lib/apt/lists"


def die(msg: str) -> None:
    print(f"lab-vm: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


def log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} lab-vm: {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    if check and res.returncode != 0:
        die(f"{' '.join(cmd)} failed: {res.stderr.strip() or res.stdout.strip()}")
    return res


def netns(lab: str) -> str:
    return f"lab-{lab}"


def host_veth(lab: str) -> str:
    return "lab" + hashlib.sha1(lab.encode()).hexdigest()[:8]


def state_dir(lab: str) -> Path:
    return RUN / lab


def check_name(kind: str, name: str, maxlen: int) -> None:
    ok = name and len(name) <= maxlen and all(c.isalnum() or c in "_-." for c in name)
    if not ok:
        die(f"{kind} name {name!r} must be 1-{maxlen} characters of letters, digits, '_', '-', '.'")


def load_spec(path: str) -> dict:
    try:
        spec = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        die(f"cannot read the lab spec {path}: {exc}")
    lab = spec.get("lab")
    check_name("lab", lab or "", 40)
    vms = spec.get("vms") or []
    if not 1 <= len(vms) <= 8:
        die(f"lab {lab}: {len(vms)} VMs; a lab has 1 to 8")
    mgmt_bridge, mgmt_net = None, None
    for i, vm in enumerate(vms):
        check_name("VM", vm.get("name", ""), 40)
        vm.setdefault("hostname", vm["name"].split("-", 1)[-1])
        vm.setdefault("memory", 768)
        vm.setdefault("cpus", 1)
        if not 256 <= int(vm["memory"]) <= 4096:
            die(f"VM {vm['name']}: memory {vm['memory']} MB; use 256 to 4096")
        nics = vm.get("nics") or []
        if not nics or not nics[0].get("address"):
            die(f"VM {vm['name']}: nics[0] is the management NIC and needs an address, e.g. "
                "{bridge: mgmt, address: 172.30.3.11/24}")
        if len(nics) > 8:
            die(f"VM {vm['name']}: {len(nics)} NICs; at most 8")
        for nic in nics:
            check_name("bridge", nic.get("bridge", ""), 12)
        try:
            iface = ipaddress.ip_interface(nics[0]["address"])
        except ValueError:
            die(f"VM {vm['name']}: management address {nics[0]['address']!r} is not ADDRESS/PREFIX")
        if iface.network.prefixlen == 32:
            die(f"VM {vm['name']}: management address {nics[0]['address']} needs a prefix, e.g. /24")
        if mgmt_bridge is None:
            mgmt_bridge, mgmt_net = nics[0]["bridge"], iface.network
        elif nics[0]["bridge"] != mgmt_bridge or iface.network != mgmt_net:
            die(f"VM {vm['name']}: every VM's nics[0] must be on bridge {mgmt_bridge} in {mgmt_net}")
        if iface.network.overlaps(ipaddress.ip_network("192.0.2.0/24")):
            die(f"VM {vm['name']}: {iface.network} overlaps this machine's uplink 192.0.2.0/24")
        vm["index"] = i
    gw = spec.get("host_address") or str(mgmt_net[-2])  # .254 in a /24
    spec.update(mgmt_bridge=mgmt_bridge, mgmt_net=str(mgmt_net), host_address=gw)
    return spec


def ensure_tools() -> None:
    if os.geteuid() != 0:
        die("must run as root (network namespaces, taps and iptables need it)")
    for tool in ("qemu-system-x86_64", "qemu-img", "ip", "ssh"):
        if not shutil.which(tool):
            die(f"{tool} is missing: run lab/bin/lab-image vm (it installs qemu-system-x86, qemu-utils)")
    for f in ("debian12.qcow2", "vmlinuz", "initrd", "id_ed25519"):
        if not (VM_CACHE / f).exists():
            die(f"{VM_CACHE / f} is missing: run lab/bin/lab-image vm first")


def ip_ns(lab: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(["ip", "-n", netns(lab), *args], check=check)


def link_exists(lab: str | None, name: str) -> bool:
    cmd = ["ip"] + (["-n", netns(lab)] if lab else []) + ["link", "show", name]
    return run(cmd, check=False).returncode == 0


def nameserver() -> str:
    try:
        for line in Path("/etc/resolv.conf").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                addr = ipaddress.ip_address(parts[1])
                if addr.version == 4 and not addr.is_loopback:
                    return str(addr)
    except (OSError, ValueError):
        pass
    return "9.9.9.9"


def nat_rules(spec: dict) -> list[list[str]]:
    lab, net, veth = spec["lab"], spec["mgmt_net"], host_veth(spec["lab"])
    tag = ["-m", "comment", "--comment", f"cloudstack-lab:{lab}"]
    return [
        ["-t", "nat", "POSTROUTING", "-s", net, "!", "-d", net, *tag, "-j", "MASQUERADE"],
        ["-t", "filter", "FORWARD", "-i", veth, *tag, "-j", "ACCEPT"],
        ["-t", "filter", "FORWARD", "-o", veth, "-m", "conntrack", "--ctstate",
         "RELATED,ESTABLISHED", *tag, "-j", "ACCEPT"],
    ]


def iptables(op: str, rule: list[str]) -> subprocess.CompletedProcess:
    table, chain, rest = rule[1], rule[2], rule[3:]
    if op == "-I":
        return run(["iptables", "-w", "-t", table, "-I", chain, "1", *rest], check=False)
    return run(["iptables", "-w", "-t", table, op, chain, *rest], check=False)


def setup_network(spec: dict) -> None:
    lab, ns = spec["lab"], netns(spec["lab"])
    if run(["ip", "netns", "list"], check=False).stdout.split().count(ns) == 0:
        run(["ip", "netns", "add", ns])
    ip_ns(lab, "link", "set", "lo", "up")
    bridges = sorted({nic["bridge"] for vm in spec["vms"] for nic in vm["nics"]})
    for br in bridges:
        name = f"br-{br}"
        if not link_exists(lab, name):
            ip_ns(lab, "link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        ip_ns(lab, "link", "set", name, "up")
    veth = host_veth(lab)
    if not link_exists(None, veth):
        run(["ip", "link", "add", veth, "type", "veth", "peer", "name", "host0", "netns", ns])
    ip_ns(lab, "link", "set", "host0", "master", f"br-{spec['mgmt_bridge']}", "up")
    if spec.get("mgmt_uplink"):
        # plug the management bridge into a bridge of this machine (e.g. a
        # docker network's), so VMs and containers share one L2 segment
        if not link_exists(None, spec["mgmt_uplink"]):
            die(f"mgmt_uplink: no bridge {spec['mgmt_uplink']} on this machine")
        run(["ip", "link", "set", veth, "master", spec["mgmt_uplink"], "up"])
    else:
        prefix = ipaddress.ip_network(spec["mgmt_net"]).prefixlen
        run(["ip", "addr", "replace", f"{spec['host_address']}/{prefix}", "dev", veth])
        run(["ip", "link", "set", veth, "up"])
    if spec.get("internet", True) and not spec.get("mgmt_uplink") and shutil.which("iptables"):
        Path("/proc/sys/net/ipv4/ip_forward").write_text("1\n")
        for rule in nat_rules(spec):
            if iptables("-C", rule).returncode != 0:
                iptables("-I", rule)
    for vm in spec["vms"]:
        for j, nic in enumerate(vm["nics"]):
            tap = f"v{vm['index']}n{j}"
            if not link_exists(lab, tap):
                ip_ns(lab, "tuntap", "add", "dev", tap, "mode", "tap")
            ip_ns(lab, "link", "set", tap, "master", f"br-{nic['bridge']}", "up")


def pid_alive(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return pid if b"qemu-system" in cmdline else None


def mac(lab: str, vm: int, nic: int) -> str:
    h = hashlib.sha1(lab.encode()).digest()
    return f"52:54:{h[0]:02x}:{h[1]:02x}:{vm:02x}:{nic:02x}"


def start_vm(spec: dict, vm: dict) -> None:
    lab, sd = spec["lab"], state_dir(spec["lab"])
    name = vm["name"]
    pidfile = sd / f"{name}.pid"
    if pid_alive(pidfile):
        log(f"{name} is already running")
        return
    overlay = sd / f"{name}.qcow2"
    overlay.unlink(missing_ok=True)
    base = (VM_CACHE / "debian12.qcow2").resolve()
    run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", str(base), str(overlay)])
    mgmt = ipaddress.ip_interface(vm["nics"][0]["address"])
    append = (
        f"root=/dev/vda rw console=ttyS0 net.ifnames=0 mitigations=off {QUIET} systemd.hostname={vm['hostname']} "
        f"lab.ip={mgmt.with_prefixlen} lab.gw={spec['host_address']} lab.dns={nameserver()}"
    )
    cmd = [
        "ip", "netns", "exec", netns(lab),
        "qemu-system-x86_64", "-name", name, "-nodefaults", "-machine", "pc,accel=tcg",
        "-cpu", vm.get("cpu", os.environ.get("LAB_VM_CPU", "qemu64")), "-smp", str(vm["cpus"]), "-m", str(vm["memory"]),
        "-kernel", str((VM_CACHE / "vmlinuz").resolve()),
        "-initrd", str((VM_CACHE / "initrd").resolve()), "-append", append,
        "-drive", f"file={overlay},if=virtio,format=qcow2,cache=unsafe,discard=unmap",
        "-display", "none", "-serial", f"file:{sd / (name + '.console.log')}",
        "-monitor", f"unix:{sd / (name + '.monitor')},server=on,wait=off",
        "-pidfile", str(pidfile), "-daemonize",
    ]
    for j, _nic in enumerate(vm["nics"]):
        cmd += ["-netdev", f"tap,id=n{j},ifname=v{vm['index']}n{j},script=no,downscript=no",
                "-device", f"virtio-net-pci,netdev=n{j},id=nic{j},mac={mac(lab, vm['index'], j)},"
                           f"addr={0x10 + j:#x}"]
    for extra in vm.get("disks", []):  # extra empty disks: {"size": "2G"} -> /dev/vdb, ...
        d = sd / f"{name}-disk{vm['disks'].index(extra)}.qcow2"
        run(["qemu-img", "create", "-q", "-f", "qcow2", str(d), str(extra.get("size", "1G"))])
        cmd += ["-drive", f"file={d},if=virtio,format=qcow2,cache=unsafe"]
    run(cmd)
    log(f"{name} started (pid {pid_alive(pidfile)}, {vm['memory']} MB, {len(vm['nics'])} NICs)")


def ssh_cmd(address: str) -> list[str]:
    return ["ssh", *SSH_OPTS, "-i", str(KEY), f"root@{address}"]


def wait_ssh(spec: dict, vm: dict, deadline: float) -> float | str:
    """Seconds until the VM answered SSH, or an error message."""
    address = str(ipaddress.ip_interface(vm["nics"][0]["address"]).ip)
    t0 = time.time()
    while time.time() < deadline:
        try:
            with socket.create_connection((address, 22), timeout=5) as s:
                s.settimeout(30)
                if s.recv(16).startswith(b"SSH-"):
                    if run([*ssh_cmd(address), BOOT_PROBE], check=False).returncode == 0:
                        return time.time() - t0
        except OSError:
            pass
        time.sleep(1)
    console = state_dir(spec["lab"]) / f"{vm['name']}.console.log"
    tail = ""
    if console.exists():
        tail = "\n".join(console.read_text(errors="replace").splitlines()[-25:])
    return f"{vm['name']} ({address}) did not answer SSH in time; console tail:\n{tail}"


def instances(spec: dict) -> list[dict]:
    return [
        {
            "instance": vm["name"],
            "address": str(ipaddress.ip_interface(vm["nics"][0]["address"]).ip),
            "user": "root",
            "port": "22",
            "identity_file": str(KEY),
        }
        for vm in spec["vms"]
    ]


def cmd_up(args: argparse.Namespace) -> None:
    ensure_tools()
    spec = load_spec(args.spec)
    sd = state_dir(spec["lab"])
    sd.mkdir(parents=True, exist_ok=True)
    (sd / "spec.json").write_text(json.dumps(spec, indent=1))
    t0 = time.time()
    setup_network(spec)
    for vm in spec["vms"]:
        start_vm(spec, vm)
    deadline = time.time() + args.timeout
    with ThreadPoolExecutor(max_workers=len(spec["vms"])) as pool:
        waits = list(pool.map(lambda vm: wait_ssh(spec, vm, deadline), spec["vms"]))
    errors = [w for w in waits if isinstance(w, str)]
    if errors:
        die("\n".join(errors) + f"\n(the VMs stay up for inspection: lab-vm down {spec['lab']})")
    log(f"lab {spec['lab']}: {len(spec['vms'])} VMs answer SSH {time.time() - t0:.1f} s after start "
        f"(slowest {max(waits):.1f} s of waiting)")
    inst = json.dumps(instances(spec), indent=1)
    if args.instances:
        Path(args.instances).write_text(inst + "\n")
    print(inst)


def cmd_down(args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        die("must run as root")
    lab = args.lab
    check_name("lab", lab, 40)
    sd = state_dir(lab)
    spec = None
    if (sd / "spec.json").exists():
        spec = json.loads((sd / "spec.json").read_text())
    pids = []
    for pidfile in sorted(sd.glob("*.pid")) if sd.exists() else []:
        pid = pid_alive(pidfile)
        if pid:
            os.kill(pid, signal.SIGTERM)
            pids.append(pid)
    deadline = time.time() + 10
    for pid in pids:
        while time.time() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)
    if spec and shutil.which("iptables"):
        for rule in nat_rules(spec):
            while iptables("-C", rule).returncode == 0:
                iptables("-D", rule)
    if netns(lab) in run(["ip", "netns", "list"], check=False).stdout.split():
        run(["ip", "netns", "del", netns(lab)])
    if link_exists(None, host_veth(lab)):
        run(["ip", "link", "del", host_veth(lab)], check=False)
    shutil.rmtree(sd, ignore_errors=True)
    log(f"lab {lab}: down ({len(pids)} VMs stopped)")


def monitor(lab: str, vm: str, command: str) -> str:
    sock_path = state_dir(lab) / f"{vm}.monitor"
    if not sock_path.exists():
        die(f"no VM {vm} in lab {lab} (no {sock_path})")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(sock_path))
        out = b""

        def read_prompt() -> bytes:
            buf = b""
            while not buf.rstrip().endswith(b"(qemu)"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            return buf

        read_prompt()
        s.sendall(command.encode() + b"\n")
        out = read_prompt()
    text = out.decode(errors="replace").replace("\r", "")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("(qemu)")
             and "\x1b" not in ln and ln.strip() != command]
    return "\n".join(lines)


def nic_index(nic: str) -> int:
    for prefix in ("eth", "nic", "n"):
        if nic.startswith(prefix) and nic[len(prefix):].isdigit():
            return int(nic[len(prefix):])
    if nic.isdigit():
        return int(nic)
    die(f"NIC {nic!r}: use eth<N> (the name inside the VM) or its index N")
    return -1


def cmd_link(args: argparse.Namespace) -> None:
    idx = nic_index(args.nic)
    out = monitor(args.lab, args.vm, f"set_link nic{idx} {args.state}")
    if out.strip():
        die(f"set_link nic{idx} {args.state} on {args.vm}: {out.strip()}")
    log(f"{args.vm} eth{idx}: link {args.state}")


def cmd_status(args: argparse.Namespace) -> None:
    sd = state_dir(args.lab)
    if not (sd / "spec.json").exists():
        print(f"lab {args.lab}: down")
        return
    spec = json.loads((sd / "spec.json").read_text())
    for vm in spec["vms"]:
        pid = pid_alive(sd / f"{vm['name']}.pid")
        bridges = ",".join(f"eth{j}:{n['bridge']}" for j, n in enumerate(vm["nics"]))
        print(f"{vm['name']}\t{'up pid ' + str(pid) if pid else 'DOWN'}\t"
              f"{vm['nics'][0]['address']}\t{bridges}")


def cmd_ssh(args: argparse.Namespace) -> None:
    spec = json.loads((state_dir(args.lab) / "spec.json").read_text())
    for vm in spec["vms"]:
        if vm["name"] == args.vm:
            address = str(ipaddress.ip_interface(vm["nics"][0]["address"]).ip)
            os.execvp("ssh", [*ssh_cmd(address), *args.command])
    die(f"no VM {args.vm} in lab {args.lab}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up")
    up.add_argument("spec")
    up.add_argument("--instances", help="write molecule's instance config here")
    up.add_argument("--timeout", type=float, default=float(os.environ.get("LAB_VM_BOOT_TIMEOUT", 900)))
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down")
    down.add_argument("lab")
    down.set_defaults(func=cmd_down)
    link = sub.add_parser("link")
    link.add_argument("lab")
    link.add_argument("vm")
    link.add_argument("nic")
    link.add_argument("state", choices=["on", "off"])
    link.set_defaults(func=cmd_link)
    st = sub.add_parser("status")
    st.add_argument("lab")
    st.set_defaults(func=cmd_status)
    sh = sub.add_parser("ssh")
    sh.add_argument("lab")
    sh.add_argument("vm")
    sh.add_argument("command", nargs=argparse.REMAINDER)
    sh.set_defaults(func=cmd_ssh)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
