# Management tier (cloudstack.infra.management_server): docs/management.md.
# molecule-management: MariaDB primary (playbooks/database.yml), two
# management servers with the STAND-IN CloudStack packages
# (tests/cloudstack_standin/packages) from a signed apt repository served over
# HTTP, and the load-balancer pair (cloudstack.infra.load_balancer, HAProxy +
# keepalived) in front of them (playbooks/management.yml); converge,
# idempotence, verify (testinfra state, check mode, actions: schema, version
# classes, key sharing, stickiness, port exposure, a backend down, VRRP moves).
# docs/management.md, docs/load_balancer.md.
# standin-tools: what build_repo.py needs on this machine (dpkg-deb,
# apt-ftparchive, gpg, gpgv); make unit's stand-in package tests need them too.
.PHONY: standin-tools
standin-tools:
	@command -v dpkg-deb >/dev/null && command -v apt-ftparchive >/dev/null \
	  && command -v gpg >/dev/null && command -v gpgv >/dev/null \
	  || { apt-get update -qq && apt-get install -y -qq dpkg-dev apt-utils gnupg gpgv >/dev/null; }

unit: standin-tools
.PHONY: molecule-management

molecule-management: setup lab-image-container standin-tools
	molecule test -s management

# Passed in a fresh-clone make test (README's run 9, 2026-11-30): 539 s
# (converge 159, idempotence 77, verify 245), with the LB pair (run 8: 666 s).
TEST_TARGETS += molecule-management
