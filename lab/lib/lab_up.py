"""lab-up / lab-down: local machines that mirror inventories/lab (`make lab`).

  lab-up   [--inventory inventories/lab] [--no-converge]
  lab-down

Hosts become systemd containers (cloudstack-lab/debian12) on the docker
network lab_mgmt (10.10.0.0/24, docker's gateway on .254 so .1 stays fw1's),
at their `cloudstack_management_address`; firewalls also get lab_internet
(198.18.0.0/24, the lab "internet"). Hosts whose roles need kernel features a
container lacks here (groups cloudstack_nfs and cloudstack_iscsi_targets:
nfsd, LIO; or any host with `lab_platform: vm`) become qemu VMs (lab/bin/lab-vm)
whose eth0 is bridged into lab_mgmt, so they share the containers' L2.
Then: .lab/secrets.yml (random, 0600, kept across runs), .lab/connection.yml
(connection settings only), with management servers a STAND-IN CloudStack
repository (tests/cloudstack_standin/packages, not CloudStack: the real
packages cannot be downloaded here) copied into them and .lab/standin.yml
(the role's mirror variables), and
  ansible-playbook site.yml -i inventories/lab -i .lab/connection.yml -e @.lab/secrets.yml \\
      [-e @.lab/standin.yml]
Both commands are idempotent; lab-down removes everything lab-up made.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
LAB = REPO / "lab"
STATE = REPO / ".lab"
IMAGE = os.environ.get("LAB_CONTAINER_IMAGE", "cloudstack-lab/debian12:latest")
LABEL = "cloudstack-lab=lab"
MGMT_NET, MGMT_CIDR, MGMT_GW = "lab_mgmt", "10.10.0.0/24", "10.10.0.254"
INET_NET, INET_CIDR, INET_GW = "lab_internet", "198.18.0.0/24", "198.18.0.254"
MGMT_BRIDGE = "lab-mgmt"          # docker's bridge for lab_mgmt (VMs plug in here)
VM_GROUPS = ("cloudstack_nfs", "cloudstack_iscsi_targets")
LAB_STORAGE_DISK = "120G"          # sparse qcow2; formatted and mounted by lab/hardware.yml
SECRETS = ("cloudstack_db_password", "cloudstack_db_root_password",
           "cloudstack_db_replication_password", "cloudstack_mgmt_key", "cloudstack_db_key",
           # the API tier's, against the stand-in API (below)
           "cloudstack_api_key", "cloudstack_api_secret", "cloudstack_host_password")
# CloudStack's packages cannot be downloaded on this machine: the lab's
# management servers install STAND-IN packages (tests/cloudstack_standin/
# packages: not CloudStack) from a signed repository copied into them, through
# the role's mirror variables (.lab/standin.yml).
STANDIN_BUILD = REPO / "tests" / "cloudstack_standin" / "packages" / "build_repo.py"
STANDIN_PATH = "/srv/cloudstack-standin-repo"
# CloudStack cannot run here: the API tier (playbooks/cloud.yml, from
# site.yml) registers the lab's zone, pod, cluster, hosts and storage with a
# STAND-IN API on this machine's loopback (tests/cloudstack_standin/server.py:
# not CloudStack; it checks every command and parameter against the
# signatures CloudStack generates). Its state is .lab/standin-api/state.json.
STANDIN_API = REPO / "tests" / "cloudstack_standin" / "server.py"
STANDIN_API_PORT = int(os.environ.get("LAB_STANDIN_API_PORT", "18080"))
STANDIN_API_DIR = STATE / "standin-api"
# Global settings CloudStack has and the stand-in's seed lacks (the lab's
# disk offerings are checked against them).
STANDIN_API_SEED = {"configurations": {
    name: {"category": "Advanced", "value": value, "scopes": [],
           "description": "STAND-IN lab seed", "overrides": {}}
    for name, value in (("custom.diskoffering.size.min", "1"),
                        ("custom.diskoffering.size.max", "1024"))}}
CONTAINER_OPTS = [
    "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cgroupns", "host",
    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "--tmpfs", "/run", "--tmpfs", "/run/lock",
    "--tmpfs", "/tmp:exec", "--stop-signal", "SIGRTMIN+3",
]


def log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} lab: {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> None:
    print(f"lab: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    if check and res.returncode != 0:
        die(f"{' '.join(cmd)} failed: {res.stderr.strip() or res.stdout.strip()}")
    return res


def run_visible(cmd: list[str], what: str, env: dict | None = None) -> None:
    """Run with output on the terminal; stop the lab on failure."""
    if subprocess.run(cmd, check=False, env=env).returncode != 0:
        die(f"{what} failed (see above)")


def tool(name: str) -> str:
    venv = REPO / ".venv" / "bin" / name
    return str(venv) if venv.exists() else name


def ansible_env(**extra: str) -> dict:
    """The environment of every Ansible command the lab runs: the
    repository's ansible.cfg, plus ``extra``."""
    return dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), **extra)


def inventory(path: str) -> dict:
    env = ansible_env()
    res = run([tool("ansible-inventory"), "-i", path, "--list"], env=env, cwd=REPO)
    return json.loads(res.stdout)


def plan(inv: dict) -> list[dict]:
    hostvars = inv["_meta"]["hostvars"]
    groups: dict[str, list[str]] = {}
    for group, data in inv.items():
        for host in (data.get("hosts") or []) if isinstance(data, dict) else []:
            groups.setdefault(host, []).append(group)
    machines = []
    for host in sorted(hostvars):
        hv = hostvars[host]
        addr = hv.get("cloudstack_management_address")
        if not addr:
            die(f"host {host} has no cloudstack_management_address in the inventory: "
                "the lab places every host at that address")
        if ipaddress.ip_address(addr) not in ipaddress.ip_network(MGMT_CIDR):
            die(f"host {host}: cloudstack_management_address {addr} is outside the lab's "
                f"management network {MGMT_CIDR}")
        if addr == MGMT_GW:
            die(f"host {host}: {addr} is the lab's docker gateway; pick another address")
        hgroups = groups.get(host, [])
        platform = hv.get("lab_platform") or (
            "vm" if any(g in VM_GROUPS for g in hgroups) else "container")
        machines.append({"host": host, "address": addr, "platform": platform,
                         "firewall": "cloudstack_firewall" in hgroups, "groups": hgroups})
    fws = [m for m in machines if m["firewall"]]
    for i, m in enumerate(fws):
        m["internet_address"] = str(ipaddress.ip_network(INET_CIDR)[2 + i])
    return machines


def ensure_network(name: str, cidr: str, gw: str, bridge: str | None = None) -> None:
    if run(["docker", "network", "inspect", name], check=False).returncode == 0:
        return
    cmd = ["docker", "network", "create", "--driver", "bridge", "--subnet", cidr,
           "--gateway", gw, "--label", LABEL]
    if bridge:
        cmd += ["-o", f"com.docker.network.bridge.name={bridge}"]
    run(cmd + [name])
    log(f"docker network {name} {cidr} (gateway {gw})")


def ensure_container(m: dict) -> None:
    name = f"lab-{m['host']}"
    st = run(["docker", "inspect", "-f", "{{.State.Running}}", name], check=False)
    if st.returncode == 0 and st.stdout.strip() == "true":
        return
    if st.returncode == 0:
        run(["docker", "rm", "-f", name])
    cmd = ["docker", "run", "-d", "--name", name, "--hostname", m["host"], "--label", LABEL,
           *CONTAINER_OPTS, "--network", MGMT_NET, "--ip", m["address"]]
    if m["firewall"]:
        cmd += ["--sysctl", "net.ipv4.ip_forward=1"]
    run(cmd + [IMAGE])
    if m.get("internet_address"):
        run(["docker", "network", "connect", "--ip", m["internet_address"], INET_NET, name])
    log(f"container {name} at {m['address']}")


def wait_containers(machines: list[dict]) -> None:
    for m in machines:
        if m["platform"] != "container":
            continue
        res = run(["docker", "exec", f"lab-{m['host']}", "timeout", "300",
                   "systemctl", "is-system-running", "--wait"], check=False)
        if res.stdout.strip() not in ("running", "degraded"):
            die(f"lab-{m['host']}: systemd did not finish booting ({res.stdout.strip()})")


def vm_up(vms: list[dict]) -> list[dict]:
    if not vms:
        run([str(LAB / "bin" / "lab-vm"), "down", "lab"], check=False)
        return []
    prefix = ipaddress.ip_network(MGMT_CIDR).prefixlen
    spec = {
        "lab": "lab", "internet": False, "mgmt_uplink": MGMT_BRIDGE, "host_address": MGMT_GW,
        "vms": [{"name": f"lab-{m['host']}", "hostname": m["host"], "memory": 1024,
                 "nics": [{"bridge": "mgmt", "address": f"{m['address']}/{prefix}"}],
                 # thin: a real filesystem for the NFS role's 100 GB check (lab/hardware.yml)
                 "disks": [{"size": LAB_STORAGE_DISK}]} for m in vms],
    }
    STATE.mkdir(mode=0o700, exist_ok=True)
    (STATE / "vms.json").write_text(json.dumps(spec, indent=1))
    # lab-vm keeps its run directory under LAB_CACHE: lab-down must look
    # where this run put the VMs, whatever LAB_CACHE it is given
    (STATE / "lab-cache").write_text(os.environ.get("LAB_CACHE", str(LAB / "cache")))
    res = subprocess.run([str(LAB / "bin" / "lab-vm"), "up", str(STATE / "vms.json")],
                         capture_output=True, text=True, check=False)
    sys.stderr.write(res.stderr)
    if res.returncode != 0:
        die("the lab VMs did not come up (see above)")
    return json.loads(res.stdout)


def write_secrets() -> None:
    """Random secrets, 0600, kept across runs; keys added by a newer
    collection are appended to an existing file."""
    path = STATE / "secrets.yml"
    have = set()
    if path.exists():
        have = {line.split(":", 1)[0] for line in path.read_text().splitlines()
                if line and not line.startswith(("#", "-"))}
    missing = [k for k in SECRETS if k not in have]
    if not missing:
        return
    lines = [] if have else ["---", "# Generated by `make lab` (lab/bin/lab-up): random, never committed."]
    lines += [f"{k}: \"{secrets.token_urlsafe(24)}\"" for k in missing]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write("\n".join(lines) + "\n")
    log(f"{path} (mode 0600): {', '.join(missing)}")


def standin_mirror(machines: list[dict], version: str) -> bool:
    """Build the STAND-IN CloudStack repository and copy it (without its
    signing key's secret part) into every management-server container;
    write .lab/standin.yml with the role's mirror variables. False when
    the lab has no management server."""
    hosts = [m for m in machines if "cloudstack_management" in m["groups"]]
    if not hosts:
        return False
    line = ".".join((str(version).split(".") + ["0", "0", "0"])[:2])
    build = STATE / "standin-build"
    res = run([sys.executable, str(STANDIN_BUILD), str(build), "--version", f"{line}.0.0"],
              check=False)
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        die("building the stand-in CloudStack repository failed (see above)")
    fingerprint = (build / "fingerprint").read_text().strip()
    public = STATE / "standin-repo"
    shutil.rmtree(public, ignore_errors=True)
    public.mkdir()
    for item in ("dists", "pool", "key.asc", "fingerprint"):
        src = build / item
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, public / item)
    for m in hosts:
        if m["platform"] != "container":
            die(f"host {m['host']}: the lab's stand-in repository is copied into containers only")
        name = f"lab-{m['host']}"
        run(["docker", "exec", name, "rm", "-rf", STANDIN_PATH])
        run(["docker", "cp", str(public), f"{name}:{STANDIN_PATH}"])
    (STATE / "standin.yml").write_text("\n".join([
        "---",
        "# Generated by `make lab`: CloudStack's packages cannot be downloaded",
        "# here, so the management servers install STAND-IN packages (not",
        "# CloudStack; tests/cloudstack_standin/packages) from this signed",
        "# repository, through the role's mirror variables.",
        f"management_server_repo_url: file://{STANDIN_PATH}",
        "management_server_repo_suite: bookworm",
        f"management_server_repo_component: \"{line}\"",
        f"management_server_repo_key_url: file://{STANDIN_PATH}/key.asc",
        f"management_server_repo_key_fingerprint: {fingerprint}",
    ]) + "\n")
    log(f"stand-in CloudStack {line} repository in {', '.join(m['host'] for m in hosts)} "
        f"(key {fingerprint})")
    return True


def read_secrets() -> dict:
    out = {}
    for line in (STATE / "secrets.yml").read_text().splitlines():
        if ":" in line and not line.startswith(("#", "-")):
            key, value = line.split(":", 1)
            out[key.strip()] = value.strip().strip('"')
    return out


def standin_api_running() -> bool:
    pid_file = STANDIN_API_DIR / "pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return False
    return str(STANDIN_API) in cmdline


def standin_api() -> None:
    """Start the STAND-IN API (kept running across `make lab` runs, with its
    state) and write .lab/standin-api.yml, the API tier's endpoint."""
    STANDIN_API_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    state = STANDIN_API_DIR / "state.json"
    if not state.exists():
        state.write_text(json.dumps(STANDIN_API_SEED))
    if not standin_api_running():
        sec = read_secrets()
        keys = STANDIN_API_DIR / "keys"
        fd = os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{sec['cloudstack_api_key']}:{sec['cloudstack_api_secret']}\n")
        with open(STANDIN_API_DIR / "server.log", "ab") as logf:
            proc = subprocess.Popen(
                [sys.executable, str(STANDIN_API), "--port", str(STANDIN_API_PORT),
                 "--state", str(state), "--async-polls", "0", "--keys-file", str(keys)],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True)
        (STANDIN_API_DIR / "pid").write_text(str(proc.pid))
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", STANDIN_API_PORT), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    die(f"the stand-in API stopped at start: {STANDIN_API_DIR / 'server.log'}")
                time.sleep(0.2)
        else:
            die(f"the stand-in API does not answer on 127.0.0.1:{STANDIN_API_PORT}")
        log(f"STAND-IN CloudStack API (not CloudStack) on 127.0.0.1:{STANDIN_API_PORT}, "
            f"state {state.relative_to(REPO)}")
    url = f"http://127.0.0.1:{STANDIN_API_PORT}/client/api"
    (STATE / "standin-api.yml").write_text("\n".join([
        "---",
        "# Generated by `make lab`: the API tier talks to a STAND-IN API on this",
        "# machine (tests/cloudstack_standin/server.py: not CloudStack).",
        f"cloudstack_api_url: {url}",
    ]) + "\n")


def standin_api_stop() -> None:
    if standin_api_running():
        pid = int((STANDIN_API_DIR / "pid").read_text())
        os.kill(pid, signal.SIGTERM)
        log(f"stopped the stand-in API (pid {pid})")


def write_connection(machines: list[dict], insts: list[dict]) -> None:
    by_name = {i["instance"]: i for i in insts}
    lines = ["---",
             "# Generated by `make lab`: connection settings ONLY; the topology is",
             "# inventories/lab. Used as: -i inventories/lab -i .lab/connection.yml",
             "all:", "  hosts:"]
    for m in machines:
        lines.append(f"    {m['host']}:")
        # every lab machine is Debian 12: no interpreter discovery round trip
        lines.append("      ansible_python_interpreter: /usr/bin/python3")
        if m["platform"] == "container":
            lines += ["      ansible_connection: community.docker.docker",
                      f"      ansible_host: lab-{m['host']}"]
        else:
            i = by_name[f"lab-{m['host']}"]
            lines += ["      ansible_connection: ssh", f"      ansible_host: {i['address']}",
                      f"      ansible_user: {i['user']}",
                      f"      ansible_ssh_private_key_file: {i['identity_file']}",
                      "      ansible_ssh_common_args: -o StrictHostKeyChecking=no "
                      "-o UserKnownHostsFile=/dev/null", "      ansible_timeout: 60"]
    (STATE / "connection.yml").write_text("\n".join(lines) + "\n")


def reach(inv_path: str) -> None:
    """Every host of the inventory answers through the overlay's connection."""
    cmd = [tool("ansible"), "all", "-i", inv_path, "-i", ".lab/connection.yml",
           "-m", "ansible.builtin.ping", "-o"]
    env = ansible_env()
    res = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        die("not every lab host answers ansible's ping (see above)")
    log(f"every host answers ansible.builtin.ping ({len(res.stdout.splitlines())} hosts)")


def hardware(inv_path: str) -> None:
    """What the operator's machines already have (lab/hardware.yml): storage disks."""
    cmd = [tool("ansible-playbook"), "lab/hardware.yml", "-i", inv_path, "-i", ".lab/connection.yml"]
    env = ansible_env()
    if subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode != 0:
        die("lab/hardware.yml failed (see above): the lab machines are not ready for site.yml")


def site_command(inv_path: str, standin: bool) -> list[str]:
    """ansible-playbook site.yml with the lab's overlays (also `make bench`)."""
    return ([tool("ansible-playbook"), "site.yml", "-i", inv_path, "-i", ".lab/connection.yml",
             "-e", "@.lab/secrets.yml", "-e", "@.lab/standin-api.yml"]
            + (["-e", "@.lab/standin.yml"] if standin else []))


def converge(inv_path: str, standin: bool) -> int:
    cmd = site_command(inv_path, standin)
    log("running: " + " ".join(["ansible-playbook", *cmd[1:]]))
    env = ansible_env()
    return subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode


# What `make lab` reports as up: the systemd units each tier runs (Debian's
# names; the roles' vars/Debian.yml), asked on every host in one ad-hoc run.
TIER_UNITS = (
    ("cloudstack_firewall", "NAT firewall", ("cloudstack-nat-firewall",)),
    ("cloudstack_db_primary", "database primary", ("mariadb",)),
    ("cloudstack_db_replicas", "database replica", ("mariadb",)),
    ("cloudstack_management", "management server (STAND-IN packages, not CloudStack)",
     ("cloudstack-management",)),
    ("cloudstack_lb", "load balancer", ("haproxy", "keepalived")),
    ("cloudstack_nfs", "NFS storage", ("nfs-server",)),
    ("cloudstack_iscsi_targets", "iSCSI target", ("rtslib-fb-targetctl",)),
    ("cloudstack_kvm_hosts", "KVM host (no cloudstack-agent: its package is not reachable)",
     ("libvirtd",)),
    ("cloudstack_monitoring", "monitoring", ("prometheus", "prometheus-alertmanager")),
)
EVERY_HOST_UNITS = ("chrony", "prometheus-node-exporter")


def unit_states(inv_path: str) -> dict[str, dict[str, str]]:
    units = sorted({u for tier in TIER_UNITS for u in tier[2]} | set(EVERY_HOST_UNITS))
    # and the host firewalls' tables (host_firewall: one unit per table)
    cmd = [tool("ansible"), "all", "-i", inv_path, "-i", ".lab/connection.yml",
           "-m", "ansible.builtin.shell", "-a",
           "systemctl is-active " + " ".join(units) + "; echo ---; systemctl list-units --no-legend "
           "--plain --state=active 'cloudstack-*-firewall.service' | cut -d' ' -f1"]
    env = ansible_env(ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    res = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    try:
        hosts = json.loads(res.stdout)["plays"][0]["tasks"][0]["hosts"]
    except (ValueError, KeyError, IndexError):
        return {}
    out = {}
    for host, r in hosts.items():
        states, _sep, tables = (r.get("stdout") or "").partition("---")
        out[host] = dict(zip(units, states.split()))
        out[host]["firewalls"] = [t.replace(".service", "") for t in tables.split()]
    return out


def standin_api_report() -> list[str]:
    try:
        data = json.loads((STANDIN_API_DIR / "state.json").read_text())
    except (OSError, ValueError):
        return ["  API tier: no stand-in state (.lab/standin-api/state.json)"]
    lines = [f"  API tier: STAND-IN CloudStack API (not CloudStack) on "
             f"http://127.0.0.1:{STANDIN_API_PORT}/client/api"
             f" ({'running' if standin_api_running() else 'STOPPED'}), registered by playbooks/cloud.yml:"]
    for key, what in (("zones", "zones"), ("pods", "pods"), ("clusters", "clusters"),
                      ("hosts", "hosts"), ("storagepools", "primary storage"),
                      ("imagestores", "secondary storage")):
        items = data.get(key) or []
        names = ", ".join(str(i.get("name") or i.get("url") or "?") for i in items)
        lines.append(f"    {what:18} {len(items):3}  {names}")
    return lines


def summary(machines: list[dict], inv_path: str) -> bool:
    """Print what is up; False when a unit a tier needs is not active."""
    states = unit_states(inv_path)
    ok = bool(states)
    print("\nThe lab (inventories/lab): what is up")
    for m in machines:
        shell = (f"docker exec -it lab-{m['host']} bash" if m["platform"] == "container"
                 else f"lab/bin/lab-vm ssh lab lab-{m['host']}")
        extra = f" +{m['internet_address']}" if m.get("internet_address") else ""
        print(f"  {m['host']:8} {m['platform']:10} {m['address'] + extra:24} {shell}")
        host_states = states.get(m["host"], {})
        if not host_states:
            print("    (no answer)")
            ok = False
        for group, what, units in TIER_UNITS:
            if group in m["groups"]:
                shown = " ".join(f"{u}={host_states.get(u, '?')}" for u in units)
                ok = ok and all(host_states.get(u) == "active" for u in units)
                print(f"    {what:58} {shown}")
        shown = " ".join(f"{u}={host_states.get(u, '?')}" for u in EVERY_HOST_UNITS)
        print(f"    {'every host':58} {shown}")
        print(f"    {'host firewall tables loaded (active units)':58} "
              f"{' '.join(host_states.get('firewalls') or ['none'])}")
    for line in standin_api_report():
        print(line)
    print(f"  networks: {MGMT_NET} {MGMT_CIDR} (this machine {MGMT_GW}), "
          f"{INET_NET} {INET_CIDR} (lab internet)")
    print("  STAND-INs, named as such: the management servers' packages "
          "(tests/cloudstack_standin/packages) and the API (tests/cloudstack_standin/server.py); "
          "neither is proof of CloudStack behaviour")
    print("  remove everything: make lab-down")
    return ok


def cmd_up(args: argparse.Namespace) -> None:
    t0 = time.time()
    if os.geteuid() != 0:
        die("make lab must run as root (docker, network namespaces, qemu taps)")
    machines = plan(inventory(args.inventory))
    vms = [m for m in machines if m["platform"] == "vm"]
    run_visible([str(LAB / "bin" / "lab-image"), "container"] + (["vm"] if vms else []),
                "building the lab images")
    ensure_network(MGMT_NET, MGMT_CIDR, MGMT_GW, MGMT_BRIDGE)
    if any(m["firewall"] for m in machines):
        ensure_network(INET_NET, INET_CIDR, INET_GW)
    for m in machines:
        if m["platform"] == "container":
            ensure_container(m)
    insts = vm_up(vms)
    wait_containers(machines)
    STATE.mkdir(mode=0o700, exist_ok=True)
    write_secrets()
    write_connection(machines, insts)
    reach(args.inventory)
    hardware(args.inventory)
    inv = inventory(args.inventory)
    version = next((hv.get("cloudstack_version") for hv in inv["_meta"]["hostvars"].values()
                    if hv.get("cloudstack_version")), "4.22")
    standin = standin_mirror(machines, version)
    standin_api()
    log(f"machines up in {time.time() - t0:.0f} s")
    rc = 0 if args.no_converge else converge(args.inventory, standin)
    if not summary(machines, args.inventory) and rc == 0 and not args.no_converge:
        log("site.yml passed, yet a unit above is not active")
        rc = 1
    log(f"make lab took {time.time() - t0:.0f} s" + ("" if rc == 0 else f"; site.yml FAILED (rc {rc})"))
    sys.exit(rc)


def cmd_down(_args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        die("make lab-down must run as root")
    if shutil.which("docker") and run(["docker", "info"], check=False).returncode == 0:
        ids = run(["docker", "ps", "-aq", "--filter", f"label={LABEL}"]).stdout.split()
        if ids:
            run(["docker", "rm", "-f", *ids])
        nets = run(["docker", "network", "ls", "-q", "--filter", f"label={LABEL}"]).stdout.split()
        if nets:
            run(["docker", "network", "rm", *nets])
        log(f"removed {len(ids)} containers, {len(nets)} networks")
    caches = {os.environ.get("LAB_CACHE", str(LAB / "cache"))}
    if (STATE / "lab-cache").exists():
        caches.add((STATE / "lab-cache").read_text().strip())
    for cache in sorted(caches):
        run_visible([str(LAB / "bin" / "lab-vm"), "down", "lab"], "lab-vm down lab",
                    env=dict(os.environ, LAB_CACHE=cache))
    standin_api_stop()
    shutil.rmtree(STATE, ignore_errors=True)
    log("removed .lab/")
    # the lab CA (inventories/lab: kvm_host_tls_ca_dir, outside the project)
    shutil.rmtree(Path.home() / ".cloudstack-infra" / "lab", ignore_errors=True)
    log("removed ~/.cloudstack-infra/lab/ (the lab CA)")


def main() -> None:
    down = "--down" in sys.argv[1:]
    if down:
        sys.argv.remove("--down")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    if not down:
        p.add_argument("--inventory", default="inventories/lab")
        p.add_argument("--no-converge", action="store_true",
                       help="bring the machines up, write .lab/, do not run site.yml")
    args = p.parse_args()
    (cmd_down if down else cmd_up)(args)


if __name__ == "__main__":
    main()
