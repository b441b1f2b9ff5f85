# Database tier (issue 4): docs/database.md.
# molecule-mysql_replication: MariaDB primary + same-site and DR replicas in
# containers on two docker networks, converge/idempotence/verify against the
# running servers, then a crash of the primary and playbooks/db_failover.yml.
.PHONY: molecule-mysql_replication unit-database

unit-database: setup
	pytest -q tests/unit/test_database_plan.py

molecule-mysql_replication: setup lab-image-container
	molecule test -s mysql_replication

# Passed end-to-end (molecule test -s mysql_replication): 12 min 19 s on the
# shared 2-core machine (load ~12), of which converge ~5 min (apt installs).
TEST_TARGETS += molecule-mysql_replication
