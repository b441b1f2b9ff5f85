# Management tier (cloudstack.infra.management_server): docs/management.md.
# molecule-management: MariaDB primary (playbooks/database.yml) and two
# management servers with the STAND-IN CloudStack packages
# (tests/cloudstack_standin/packages) from a signed apt repository served over
# HTTP; converge, idempotence, check, verify (testinfra state + actions).
.PHONY: molecule-management

molecule-management: setup lab-image-container
	flock /tmp/mol-management.lock molecule test -s management

# Passed end-to-end (molecule test -s management): 6 min 41 s on the shared
# 2-core machine (load 1.5-5); converge ~1 min 46 s, verify ~3 min 15 s.
TEST_TARGETS += molecule-management
