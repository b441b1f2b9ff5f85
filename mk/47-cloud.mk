# The cloud itself through CloudStack's API (cloudstack.infra.cloud): docs/cloud.md.
# molecule-cloud_api: no container, no VM: two CloudStack API STAND-INs
# (tests/cloudstack_standin/server.py, not CloudStack) on 127.0.0.1:18096
# (inventories/lab) and 18097 (molecule/cloud_api/inventory/two_zone: two
# zones, KVM and XenServer clusters); playbooks/cloud.yml against both;
# converge, idempotence, check, verify (pytest with the `cs` client: every
# zone, network, range, pod, cluster, host, pool, image store, setting,
# limit and offering equals cloud_plan's; actions: bad input refused with
# nothing changed, an unlisted pod reported and kept, the capacity guard of
# playbooks/capacity.yml), destroy (stops the stand-ins).
# Operations (docs/hygiene.md, docs/patch.md): two systemd containers as the
# lab cloud's kvm1/kvm2: host_hygiene (nested, alongside the cloud.yml runs;
# testinfra in verify) and playbooks/patch.yml's four runs (capacity short,
# a host that stays down, the healthy rolling order, --check) in verify.
.PHONY: molecule-cloud_api

molecule-cloud_api: setup
	molecule test -s cloud_api

# Passed in a fresh-clone make test (README's run 9, 2026-11-30): 261 s
# (converge 46, idempotence 46, check 43, verify 100: pytest, bad input,
# unlisted pod, capacity guard with two stand-in restarts).
# With the operations additions (branch ops, 2026-11-30, a shared machine):
# 278 s (create 3, prepare 6, converge 56, idempotence 39, check 40,
# verify 114 of which patch.yml's four runs, the stand-in restarts and the
# host tests ~47, destroy 10); the additions cost about 60 s of it.
TEST_TARGETS += molecule-cloud_api
