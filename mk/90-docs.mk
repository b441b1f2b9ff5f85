# Generated documentation and the changelog (issue "The whole site as
# operators run it").
# make role-docs: docs/roles/<role>.md from every role's meta/argument_specs.yml
# (tests/role_docs.py); tests/unit/test_role_docs.py fails when a checked-in
# page is stale.
.PHONY: role-docs
role-docs: setup
	python tests/role_docs.py

# The changelog (changelogs/, antsibull-changelog): one fragment per change in
# changelogs/fragments/; `make changelog` renders CHANGELOG.md from them
# (tests/changelog.py; the version is not released yet). changelog-lint takes
# under a second, so it is part of `make lint`.
.PHONY: changelog changelog-lint
changelog: setup
	python tests/changelog.py

changelog-lint: setup
	antsibull-changelog lint
	python tests/changelog.py --check

lint: changelog-lint
