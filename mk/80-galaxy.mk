# What users get (issue "The whole site as operators run it"): the Galaxy
# tarball holds no development material and installs offline, ansible-doc
# documents every module, filter and role from the installed copy, galaxy.yml
# declares exactly the collections used, and ansible-builder writes the
# execution environment's build context (tests/galaxy_check.sh; no container).
.PHONY: galaxy-check
galaxy-check: setup
	tests/galaxy_check.sh
TEST_TARGETS += galaxy-check
