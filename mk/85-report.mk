# What the operator sees (issue "The whole site as operators run it"): the
# topology diagram (SVG/PNG via Graphviz's dot) and the capacity table of
# INVENTORY, written to docs/report/<inventory name>/ or REPORT_DIR. No host
# is contacted. Not a test step: it writes into docs/; tests/unit checks the
# checked-in reports are current (tests/unit/test_site_report.py).
.PHONY: report
report: setup
	ansible-playbook playbooks/report.yml -i $(INVENTORY) $(if $(REPORT_DIR),-e site_report_dir=$(abspath $(REPORT_DIR)))
