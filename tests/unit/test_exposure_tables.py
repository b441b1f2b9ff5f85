"""Every tier's host firewall agrees with the exposure planner
(cloudstack.infra.exposure_plan): the tables of the lab inventory
(inventories/lab, plus a load-balancer pair), rendered by ansible-playbook
from each role's own template and variables - the management server (also
the lab's database primary: its database table too), a KVM host, the NFS
server, the monitoring server, the NAT firewall (LAN side) and a load
balancer - accept every non-essential port only from sources the planner
lists for that port. The only accept without a source is the load
balancers' published ports."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(BIN, "ansible-playbook")),
    reason="needs .venv (make setup)")

RENDER = """---
- name: Render every tier's firewall table and the host's exposure (nothing runs on the hosts)
  hosts: kvm1:mgmt1:fw1:nfs1:mon1:lb1
  gather_facts: false
  connection: local
  vars:
    root: "%(root)s"
    roles_of: {kvm1: kvm_host, mgmt1: management_server, fw1: nat_firewall, nfs1: nfs_server, mon1: monitoring}
    templates:
      kvm1: cloudstack_host.nft.j2
      mgmt1: management.nft.j2
      fw1: cloudstack_nat.nft.j2
      nfs1: nfs-firewall.nft.j2
      mon1: monitoring.nft.j2
  tasks:
    - name: Read the roles' defaults and variables
      ansible.builtin.include_vars:
        file: "{{ item }}"
      loop:
        - "{{ root }}/roles/kvm_host/defaults/main.yml"
        - "{{ root }}/roles/kvm_host/vars/main.yml"
        - "{{ root }}/roles/management_server/defaults/main.yml"
        - "{{ root }}/roles/nat_firewall/defaults/main.yml"
        - "{{ root }}/roles/nat_firewall/vars/main.yml"
        - "{{ root }}/roles/nfs_server/defaults/main.yml"
        - "{{ root }}/roles/monitoring/defaults/main.yml"
        - "{{ root }}/roles/database/defaults/main.yml"
        - "{{ root }}/roles/load_balancer/defaults/main.yml"
    - name: Plan (what the roles plan before rendering)
      ansible.builtin.set_fact:
        __management_server_plan: "{{ hostvars | cloudstack.infra.management_plan(groups, inventory_hostname, '4.20') }}"
        __nat_firewall_plan: "{{ hostvars | cloudstack.infra.firewall_plan(groups, inventory_hostname, {}) }}"
        __nat_firewall_lan: eth1
        __nat_firewall_wan: eth0
        __nfs_server_exports: "{{ hostvars | cloudstack.infra.storage_nfs_exports(groups, inventory_hostname) }}"
        __monitoring_plan: "{{ hostvars | cloudstack.infra.monitoring_plan(groups) }}"
        __monitoring_sources: "{{ (hostvars | cloudstack.infra.topology_host_view(groups, inventory_hostname)).monitoring_sources }}"
    - name: The monitoring role's facts
      ansible.builtin.set_fact:
        __monitoring_is_server: "{{ inventory_hostname in __monitoring_plan.servers }}"
        __monitoring_fw_v4: "{{ __monitoring_sources | ansible.utils.ipv4 | list }}"
        __monitoring_fw_v6: "{{ __monitoring_sources | ansible.utils.ipv6 | list }}"
        __monitoring_ports: >-
          {{ ((__monitoring_plan.targets | selectattr('host', 'equalto', inventory_hostname) | first | default({})).exporters
               | default([]) | map('extract', __monitoring_plan.ports) | list)
             + ([__monitoring_plan.ports.prometheus] if inventory_hostname in __monitoring_plan.servers else []) }}
    - name: The host's exposure, with the roles' own ports
      ansible.builtin.set_fact:
        __exposure: >-
          {{ hostvars | cloudstack.infra.exposure_plan(groups, inventory_hostname, {
               'kvm_libvirt_ports': __kvm_host_listen_ports,
               'kvm_vnc_ports': kvm_host_firewall_vnc_ports, 'kvm_migration_ports': kvm_host_firewall_migration_ports,
               'nfs_tcp_ports': [nfs_server_ports.statd, nfs_server_ports.mountd, nfs_server_ports.lockd_tcp,
                                 nfs_server_ports.rquotad],
               'nfs_udp_ports': [nfs_server_ports.statd, nfs_server_ports.mountd, nfs_server_ports.lockd_udp,
                                 nfs_server_ports.rquotad],
               'lb_ports': [load_balancer_http_port, load_balancer_https_port],
               'lb_stats_port': load_balancer_stats_port}) }}
    - name: Write the exposure
      ansible.builtin.copy:
        content: "{{ __exposure | to_json }}"
        dest: "{{ out }}/{{ inventory_hostname }}.json"
        mode: "0644"
    - name: Render the role's own table
      ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.template', root ~ '/roles/' ~ roles_of[inventory_hostname] ~ '/templates/' ~ templates[inventory_hostname]) }}"
        dest: "{{ out }}/{{ inventory_hostname }}.nft"
        mode: "0644"
      when: inventory_hostname in roles_of
    - name: Render the database and load-balancer tables (cloudstack.infra.exposure_nftables)
      ansible.builtin.copy:
        content: "{{ __exposure | cloudstack.infra.exposure_nftables('t') }}"
        dest: "{{ out }}/{{ inventory_hostname }}.exposure.nft"
        mode: "0644"
      when: inventory_hostname in ['mgmt1', 'lb1']
"""

# (host, file): the tables under test; the tier each stands for
TABLES = [
    ("mgmt1", "mgmt1.nft", "management"),
    ("mgmt1", "mgmt1.exposure.nft", "database"),
    ("kvm1", "kvm1.nft", "kvm"),
    ("nfs1", "nfs1.nft", "nfs"),
    ("mon1", "mon1.nft", "monitoring"),
    ("fw1", "fw1.nft", "nat"),
    ("lb1", "lb1.exposure.nft", "load_balancer"),
]
ESSENTIAL = re.compile(r"^(ct state |iif \"lo\"|meta l4proto \{ (icmp, ipv6-icmp|1, 58) \}|icmp type|icmpv6 type"
                       r"|udp sport 67 udp dport 68|udp sport 547 udp dport 546)")


def lab_with_load_balancers(tmp_path):
    inv = tmp_path / "lab"
    shutil.copytree(os.path.join(ROOT, "inventories", "lab"), str(inv))
    hosts = yaml.safe_load((inv / "hosts.yml").read_text())
    hosts["all"]["children"]["cloudstack_lb"] = {"hosts": {"lb1": None, "lb2": None}}
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
    for name, address in (("lb1", "10.10.0.41"), ("lb2", "10.10.0.42")):
        (inv / "host_vars" / ("%s.yml" % name)).write_text("cloudstack_management_address: %s\n" % address)
    (inv / "group_vars" / "all" / "zz_lb.yml").write_text("cloudstack_lb_vip: 10.10.0.40\n")
    return str(inv)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exposure")
    out = tmp / "out"
    out.mkdir()
    book = tmp / "render.yml"
    book.write_text(RENDER % {"root": ROOT})
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), str(book), "-i", lab_with_load_balancers(tmp),
         "-e", "out=%s" % out, "-e", "ansible_python_interpreter=%s" % os.path.join(BIN, "python")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    return str(out)


def _elements(text):
    return [e.strip() for e in text.strip().strip("{}").split(",") if e.strip()]


def named_sets(nft):
    """{name: [elements]} of the table's named sets."""
    sets = {}
    for match in re.finditer(r"set (\w+) \{(.*?)\n\s*\}", nft, re.S):
        elements = re.search(r"elements = (\{[^}]*\})", match.group(2))
        sets[match.group(1)] = _elements(elements.group(1)) if elements else []
    return sets


def accepts(nft):
    """(line, protocol or 'vrrp', ports, sources or None) of every accept
    in the input chain that is not an essential one."""
    chain = re.search(r"chain input \{(.*?)\n\t\}", nft, re.S).group(1)
    sets = named_sets(nft)
    out = []
    for raw in chain.splitlines():
        line = re.sub(r'\s*comment ".*"$', "", raw.strip())
        if not line.endswith("accept") or ESSENTIAL.match(line):
            continue
        saddr = re.search(r"ip6? saddr (@\w+|\{[^}]*\}|\S+)", line)
        sources = None
        if saddr:
            value = saddr.group(1)
            sources = sets[value[1:]] if value.startswith("@") else _elements(value)
        port = re.search(r"(tcp|udp) dport (\{[^}]*\}|\S+)", line)
        if port:
            out.append((line, port.group(1), _elements(port.group(2)), sources))
        elif "l4proto 112" in line:
            out.append((line, "vrrp", [], sources))
        else:
            out.append((line, None, [], sources))
    return out


@pytest.mark.parametrize("host,name,tier", TABLES)
def test_every_port_accepts_only_its_planned_sources(rendered, host, name, tier):
    with open(os.path.join(rendered, name)) as handle:
        nft = handle.read()
    with open(os.path.join(rendered, "%s.json" % host)) as handle:
        plan = json.load(handle)
    assert tier in plan["tiers"] or tier == "monitoring", plan["tiers"]
    rules = accepts(nft)
    assert rules, nft
    for line, protocol, ports, sources in rules:
        assert protocol is not None, "an accept that names no port: %s" % line
        if sources is None:
            published = [r for r in plan["services"] if r["sources"] is None]
            assert tier == "load_balancer" and published and \
                sorted(ports) == sorted(str(p) for r in published for p in r["ports"]), \
                "an accept without a source: %s" % line
            continue
        for port in ports or [None]:
            rows = [r for r in plan["services"] if r["protocol"] == protocol
                    and (port is None or port in [str(p) for p in r["ports"]])]
            assert rows, "%s: port %s/%s is not in the plan of %s" % (line, port, protocol, host)
            planned = set(s for r in rows for s in r["sources"])
            assert set(sources) <= planned, "%s: %s not planned for %s (%s)" % (
                line, sorted(set(sources) - planned), port, sorted(planned))


def test_the_database_table_also_admits_the_management_tier(rendered):
    """mgmt1 carries both tiers: its database table (policy drop) must not
    drop what its management table admits."""
    with open(os.path.join(rendered, "mgmt1.exposure.nft")) as handle:
        text = handle.read()
    for port in ("3306", "8080", "8250", "9100", "9104", "9595"):
        assert re.search(r"dport (\{[^}]*\b%s\b[^}]*\}|%s) accept" % (port, port), text), (port, text)
