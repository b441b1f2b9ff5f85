# Generated documentation and the changelog (issue "The whole site as
# operators run it").
# make role-docs: docs/roles/<role>.md from every role's meta/argument_specs.yml
# (tests/role_docs.py); tests/unit/test_role_docs.py fails when a checked-in
# page is stale.
.PHONY: role-docs
role-docs: setup
	python tests/role_docs.py
