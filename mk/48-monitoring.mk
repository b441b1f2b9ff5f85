# Monitoring (issue "Operating the cloud"): the alert rules and scrape
# configuration cloudstack.infra.monitoring_plan derives from the inventory,
# checked by Prometheus' own promtool (docs/monitoring.md).
# promtool: Debian 12's prometheus package downloaded (apt-get download, no
# install: no Prometheus service on this machine) into the lab cache and
# unpacked there; only its usr/bin/promtool is used. Idempotent.
# monitoring-rules: tests/promtool/render_rules.py renders the rules and a
# prometheus.yml for inventories/lab, inventories/production and
# tests/promtool/inventory into .cache/monitoring-rules; promtool checks them
# (check config: the scrape configs and the rules) and runs the rule unit
# tests tests/promtool/*.yml (every alert firing and not firing).
.PHONY: promtool monitoring-rules

PROMTOOL_CACHE ?= $(or $(LAB_CACHE),$(CURDIR)/lab/cache)/promtool
PROMTOOL := $(PROMTOOL_CACHE)/usr/bin/promtool
MONITORING_RULES := $(CURDIR)/.cache/monitoring-rules

promtool: $(PROMTOOL)

$(PROMTOOL):
	mkdir -p $(PROMTOOL_CACHE)/deb
	@# apt-get download writes to the current directory (as root: a warning
	@# that _apt cannot, filtered); stale or missing package lists: update once
	cd $(PROMTOOL_CACHE)/deb && { ls prometheus_*.deb >/dev/null 2>&1 \
	  || apt-get download prometheus 2>&1 | grep -v '^W: Download is performed unsandboxed' \
	  || ls prometheus_*.deb >/dev/null 2>&1 \
	  || { apt-get update -qq && apt-get download prometheus 2>&1 | grep -v '^W: Download is performed unsandboxed'; } \
	  || true; }
	deb=$$(ls $(PROMTOOL_CACHE)/deb/prometheus_*.deb | tail -n 1) \
	  && [ -n "$$deb" ] || { echo "promtool: apt-get download prometheus failed (is the Debian mirror in sources.list?)" >&2; exit 1; }; \
	  dpkg-deb --fsys-tarfile "$$deb" | tar -x -C $(PROMTOOL_CACHE) ./usr/bin/promtool
	$(PROMTOOL) --version | head -n 1
	touch $@

monitoring-rules: setup promtool
	rm -rf $(MONITORING_RULES)
	python tests/promtool/render_rules.py $(MONITORING_RULES)
	$(PROMTOOL) check config --lint-fatal $(MONITORING_RULES)/*/prometheus.yml
	$(PROMTOOL) test rules tests/promtool/*.yml

TEST_TARGETS += monitoring-rules
