# Entry points. `make lab` and `make test` are the README's quick start.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Molecule scenarios and tests read these to find the collection and the lab.
export CLOUDSTACK_INFRA_ROOT := $(CURDIR)

# Each mk/*.mk fragment adds its own targets and appends what `make test`
# must run to TEST_TARGETS (ordered by the fragment's file name).
TEST_TARGETS :=
# ... and the ones that boot qemu TCG guests also to TEST_VM_TARGETS: make test
# runs those in a second lane beside the others (tests/make_test.sh).
TEST_VM_TARGETS :=

.PHONY: help setup lint ansible-lint sanity unit bench validate test clean

help:
	@echo "make setup     create .venv from requirements.txt (pinned)"
	@echo "make lab       build the local lab and converge site.yml on it"
	@echo "make lab-down  remove everything the lab made"
	@echo "make test      everything CI runs (lint, sanity, unit, molecule)"
	@echo "make lint      ansible-lint --profile production"
	@echo "make sanity    ansible-test sanity on a copy of the collection"
	@echo "make unit      pytest unit tests"
	@echo "make bench     validator timings, then the lab's site.yml: first converge, re-run, --check"
	@echo "make validate  playbooks/validate.yml on INVENTORY (default inventories/lab)"

$(VENV)/.stamp: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.stamp

lint: setup ansible-lint

ansible-lint: setup
	ansible-lint --profile production

SANITY_DIR := $(CURDIR)/.cache/sanity/ansible_collections/cloudstack/infra
sanity: setup
	@# ansible-test skips its shellcheck test, with only a warning, when the
	@# program is missing: install it (Debian's package) so the lab's scripts
	@# are checked on every machine.
	command -v shellcheck >/dev/null || { apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null; }
	rm -rf $(CURDIR)/.cache/sanity && mkdir -p $(SANITY_DIR)
	git ls-files -z --cached --others --exclude-standard \
	  | grep -zv '^collections/ansible_collections/' \
	  | xargs -0 cp --parents -d -t $(SANITY_DIR)
	@# The cloud_* modules import ngine_io.cloudstack's module_utils and use its
	@# doc fragment: put the installed copy (the ansible package's) beside ours.
	ngine=$$(python -c 'import ansible_collections.ngine_io.cloudstack as m; print(list(m.__path__)[0])'); \
	  mkdir -p $(CURDIR)/.cache/sanity/ansible_collections/ngine_io \
	  && cp -a "$$ngine" $(CURDIR)/.cache/sanity/ansible_collections/ngine_io/cloudstack
	@# ansible-test bootstraps pip in its venvs from a script it downloads from
	@# a host we cannot reach; give it our offline equivalent in its cache.
	mkdir -p $$HOME/.ansible/test/cache
	v=$$(python -c 'import re,ansible_test._internal.python_requirements as m,inspect; \
	  print(re.search(r"pip=.([0-9.]+).", inspect.getsource(m.get_venv_packages)).group(1))'); \
	  cp tests/sanity/get_pip_offline.py $$HOME/.ansible/test/cache/get_pip_$${v//./_}.py
	cd $(SANITY_DIR) && git init -q && git add -A \
	  && ansible-test sanity --local --python 3.11 --color no

unit: setup
	pytest -q tests/unit

# The validator's timings, then the site's: the lab from nothing, site.yml's
# first converge, the idempotent re-run (at most 35% of the first) and
# --check --diff on the converged site (no change); tests/bench/site_bench.py.
# BENCH_SITE=0 runs the validator's part only.
bench: setup standin-tools
	python tests/bench/bench.py
	if [ "$${BENCH_SITE:-1}" != 0 ]; then python tests/bench/site_bench.py; fi

INVENTORY ?= inventories/lab
validate: setup
	ansible-playbook playbooks/validate.yml -i $(INVENTORY)

-include $(sort $(wildcard mk/*.mk))

# Two lanes side by side (tests/make_test.sh): the VM scenarios in one, the
# rest in the other, each in turn. Every step's wall time goes to
# .cache/test-times, which .ci/run prints at the end (also when CI's time
# limit stops it); logs to .cache/test-logs/STEP.log.
TEST_STEPS = lint sanity unit $(TEST_TARGETS)
TEST_VM_STEPS = $(filter $(TEST_VM_TARGETS),$(TEST_TARGETS))
TEST_MAIN_STEPS = $(filter-out $(TEST_VM_STEPS),$(TEST_STEPS))
test: setup
	@MAKE="$(MAKE)" tests/make_test.sh "$(TEST_MAIN_STEPS)" "$(TEST_VM_STEPS)"

clean:
	rm -rf .cache
