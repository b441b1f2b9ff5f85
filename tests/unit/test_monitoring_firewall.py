"""The firewalls' exporter admission (roles kvm_host, management_server,
nat_firewall): their nftables tables, rendered by ansible-playbook from the
roles' own templates and variables on inventories/lab, accept the exporters'
ports from the host view's monitoring_sources, and only when the inventory
is monitored: without monitoring sources the rulesets are what they were
(no exporter port, no line more)."""
import os
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
- name: Render the firewall templates (nothing runs on the hosts)
  hosts: kvm1:mgmt1:fw1
  gather_facts: false
  connection: local
  tasks:
    - name: Read the role's defaults and variables
      ansible.builtin.include_vars:
        file: "{{ item }}"
      loop: "{{ files[role] }}"
      vars:
        role: "{{ roles_of[inventory_hostname] }}"
    - name: Plan the management tier
      ansible.builtin.set_fact:
        __management_server_plan: "{{ hostvars | cloudstack.infra.management_plan(groups, inventory_hostname, '4.20') }}"
      when: inventory_hostname == 'mgmt1'
    - name: Plan the NAT firewall
      ansible.builtin.set_fact:
        __nat_firewall_plan: "{{ hostvars | cloudstack.infra.firewall_plan(groups, inventory_hostname, {}) }}"
        __nat_firewall_lan: eth1
        __nat_firewall_wan: eth0
      when: inventory_hostname == 'fw1'
    - name: Render
      ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.template', root ~ '/roles/' ~ roles_of[inventory_hostname] ~ '/templates/' ~ templates[inventory_hostname]) }}"
        dest: "{{ out }}/{{ inventory_hostname }}.nft"
        mode: "0644"
  vars:
    root: "%(root)s"
    roles_of: {kvm1: kvm_host, mgmt1: management_server, fw1: nat_firewall}
    templates: {kvm1: cloudstack_host.nft.j2, mgmt1: management.nft.j2, fw1: cloudstack_nat.nft.j2}
    files:
      kvm_host: ["%(root)s/roles/kvm_host/defaults/main.yml", "%(root)s/roles/kvm_host/vars/main.yml"]
      management_server: ["%(root)s/roles/management_server/defaults/main.yml"]
      nat_firewall: ["%(root)s/roles/nat_firewall/defaults/main.yml", "%(root)s/roles/nat_firewall/vars/main.yml"]
"""

MONITORED = '{"cloudstack_monitoring_sources": ["192.0.2.10", "198.51.100.0/24", "2001:db8::/64"]}'


def unmonitored_lab(tmp_path):
    """inventories/lab without its monitoring server: the rulesets of an
    inventory that is not monitored."""
    inv = tmp_path / "lab"
    shutil.copytree(os.path.join(ROOT, "inventories", "lab"), inv)
    hosts = yaml.safe_load((inv / "hosts.yml").read_text())
    removed = hosts["all"]["children"].pop("cloudstack_monitoring")
    for name in (removed or {}).get("hosts") or {}:
        (inv / "host_vars" / ("%s.yml" % name)).unlink()
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
    return str(inv)


def render(tmp_path, name, inventory, *extra):
    out = tmp_path / name
    out.mkdir()
    book = tmp_path / "render.yml"
    book.write_text(RENDER % {"root": ROOT})
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), str(book), "-i", inventory,
         "-e", "out=%s" % out, "-e", "ansible_python_interpreter=%s" % os.path.join(BIN, "python")]
        + list(extra),
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    return dict((h, (out / ("%s.nft" % h)).read_text()) for h in ("kvm1", "mgmt1", "fw1"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nft")
    inventory = unmonitored_lab(tmp)
    return (render(tmp, "plain", inventory),
            render(tmp, "monitored", inventory, "-e", MONITORED),
            render(tmp, "lab_monitored", os.path.join(ROOT, "inventories", "lab")))


def test_without_monitoring_no_exporter_port(rendered):
    plain = rendered[0]
    for host, text in plain.items():
        for port in ("9100", "9104", "9595"):
            assert port not in text, (host, text)


@pytest.mark.parametrize("host,lines", [
    ("kvm1", ["ip saddr { 192.0.2.10, 198.51.100.0/24 } tcp dport 9100 accept",
              "ip6 saddr { 2001:db8::/64 } tcp dport 9100 accept"]),
    # mgmt1 is also the lab's database primary: mysqld_exporter too
    ("mgmt1", ["ip saddr { 192.0.2.10, 198.51.100.0/24 } tcp dport { 9100, 9595, 9104 } accept",
               "ip6 saddr { 2001:db8::/64 } tcp dport { 9100, 9595, 9104 } accept"]),
    ("fw1", ['iifname { "eth1" } ip saddr { 192.0.2.10, 198.51.100.0/24 } tcp dport 9100 accept',
             'iifname { "eth1" } ip6 saddr { 2001:db8::/64 } tcp dport 9100 accept']),
])
def test_monitoring_sources_reach_the_exporters_and_nothing_else_changes(rendered, host, lines):
    plain, monitored = rendered[0][host], rendered[1][host]
    got = [ln.strip() for ln in monitored.splitlines()]
    for line in lines:
        assert any(g.startswith(line) for g in got), (line, monitored)
    # in the input chain (policy drop), before its closing brace and its
    # final drop if it has one
    start = next(i for i, g in enumerate(got) if g.startswith("chain input"))
    end = next(i for i, g in enumerate(got) if i > start and g == "}")
    assert "policy drop" in got[start + 1]
    for i, g in enumerate(got):
        if any(g.startswith(line) for line in lines):
            assert start < i < end and not any(
                x.startswith("counter drop") for x in got[start:i]), (i, monitored)
    # without the monitoring block the ruleset is the unmonitored one
    kept = [ln for ln in monitored.splitlines()
            if not any(ln.strip().startswith(line) for line in lines)
            and "monitoring" not in ln]
    assert kept == [ln for ln in plain.splitlines() if "monitoring" not in ln]


def test_the_lab_monitoring_server_reaches_the_exporters(rendered):
    """inventories/lab itself is monitored (mon1, 10.10.0.30): its address,
    and only it, is admitted to the exporter ports."""
    lab = rendered[2]
    assert "ip saddr { 10.10.0.30 } tcp dport 9100 accept" in lab["kvm1"]
    assert "ip saddr { 10.10.0.30 } tcp dport { 9100, 9595, 9104 } accept" in lab["mgmt1"]
