# Check mode on FRESH hosts (issue 15, "Check mode fails"): molecule/check_fresh
# runs each tier's playbook (firewall, hygiene, database, hypervisors,
# monitoring) with --check against containers on which nothing is installed
# yet, and requires every run to complete (rc 0, failed=0) and every host to
# be unchanged (its /etc, packages and enabled units equal before and after).
# Check mode on CONVERGED hosts is every other scenario's `check` step
# (tests/callback_plugins/check_unchanged.py fails it on any change).
.PHONY: molecule-check_fresh

molecule-check_fresh: setup lab-image-container
	molecule test -s check_fresh

TEST_TARGETS += molecule-check_fresh
