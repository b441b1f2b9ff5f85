"""cloudstack.infra.host_hygiene on the KVM host containers (pytest-testinfra,
docker backend: verify.yml passes --hosts=docker://cloud_api-kvm1,...)."""

import re


def test_journald_cap_active(host):
    """The drop-in is part of journald's configuration, and journald applied it (its own report)."""
    config = host.check_output("systemd-analyze cat-config systemd/journald.conf")
    assert "SystemMaxUse=1G" in config
    reports = host.check_output("journalctl -o cat --no-pager | grep 'System Journal (' || true").splitlines()
    assert reports and "max 1.0G" in reports[-1], reports[-3:]


def test_chrony_running_without_setting_the_clock(host):
    chrony = host.service("chrony")
    assert chrony.is_enabled and chrony.is_running
    assert host.run("chronyc -n tracking").rc == 0
    assert " -x" in host.check_output("systemctl show -p ExecStart chrony")


def test_logrotate_accepts_and_caps(host):
    assert host.run("logrotate -d /etc/logrotate.d/cloudstack-infra").rc == 0
    host.check_output("mkdir -p /var/log/cloudstack/agent && rm -f /var/log/cloudstack/agent/*"
                      " && truncate -s 201M /var/log/cloudstack/agent/agent.log"
                      " && echo small > /var/log/cloudstack/agent/small.log")
    # no -f: the size cap alone rotates the big log (a state file of its own)
    host.check_output("logrotate -s /tmp/logrotate-test.state /etc/logrotate.d/cloudstack-infra")
    names = host.check_output("ls /var/log/cloudstack/agent").split()
    assert host.file("/var/log/cloudstack/agent/agent.log").size == 0
    assert [n for n in names if n.startswith("agent.log-")], names
    assert not [n for n in names if n.startswith("small.log-")], names
    host.check_output("rm -rf /var/log/cloudstack /tmp/logrotate-test.state")


def test_unattended_upgrades_reports_only(host):
    dump = host.check_output("apt-config dump APT::Periodic")
    assert 'APT::Periodic::Unattended-Upgrade "0";' in dump
    assert host.service("cloudstack-security-updates-report.timer").is_running


def test_security_updates_metrics(host):
    """hotfix 2.0 (suite hotfix-security) is the one pending security update before playbooks/patch.yml."""
    text = host.file("/var/lib/prometheus/node-exporter/cloudstack_security_updates.prom").content_string
    values = dict(re.findall(r"^(cloudstack_security_updates_\w+) (\d+)$", text, re.M))
    assert set(values) == {"cloudstack_security_updates_pending", "cloudstack_security_updates_pending_since_seconds",
                           "cloudstack_security_updates_check_timestamp_seconds"}
    assert values["cloudstack_security_updates_pending"] == "1"
    assert 0 < int(values["cloudstack_security_updates_pending_since_seconds"]) \
        <= int(values["cloudstack_security_updates_check_timestamp_seconds"])
