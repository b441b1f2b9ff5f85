"""Render monitoring_plan's Prometheus configuration and alert rules for the
promtool checks (make monitoring-rules, mk/48-monitoring.mk).

    python tests/promtool/render_rules.py OUT_DIR

writes OUT_DIR/<name>/prometheus.yml (the plan's scrape_configs, the rules
file) and OUT_DIR/<name>/rules.yml for inventories/lab, inventories/production
(default knobs) and tests/promtool/inventory (the inventory the promtool
tests, tests/promtool/*.yml, are written against; alerts fire without a
`for` delay there). The inventory is read as the topology_validate action
plugin reads it (tests/unit/inventory_reader.py), the plan made by
plugins/module_utils/monitoring_plan.py, the code the filter runs.
"""
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "collections"))
sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))

# pylint: disable=wrong-import-position
from inventory_reader import read_inventory  # noqa: E402
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T  # noqa: E402
from ansible_collections.cloudstack.infra.plugins.module_utils import monitoring_plan as MON  # noqa: E402

# name -> (inventory, knobs)
RENDERS = {
    "lab": ("lab", {}),
    "production": ("production", {}),
    "promtool": (os.path.join(ROOT, "tests", "promtool", "inventory"),
                 {"alert_for": "0s", "disk_mountpoints": ["/", "/var/lib/mysql"]}),
}


def plan(inventory, knobs):
    read = read_inventory(inventory)
    ctx, model = T.build_model(read.groups, read.hostvars, read.global_vars)
    shape = [v for v in ctx.v if v.rule == "CS001"]
    if shape:
        raise SystemExit("%s: the inventory fails the shape check (CS001):\n%s"
                         % (inventory, "\n".join(str(v) for v in shape)))
    # plain data (the inventory's strings are Ansible's tagged types)
    return json.loads(json.dumps(MON.plan_monitoring(model, knobs)))


def main(out):
    for name, (inventory, knobs) in sorted(RENDERS.items()):
        p = plan(inventory, knobs)
        where = os.path.join(out, name)
        os.makedirs(where, exist_ok=True)
        with open(os.path.join(where, "rules.yml"), "w") as handle:
            yaml.safe_dump(p["rules"], handle, sort_keys=False, width=120)
        config = {"global": {"scrape_interval": "30s"},
                  "rule_files": ["rules.yml"],
                  "scrape_configs": p["scrape_configs"]}
        with open(os.path.join(where, "prometheus.yml"), "w") as handle:
            yaml.safe_dump(config, handle, sort_keys=False, width=120)
        alerts = sum(len(g["rules"]) for g in p["rules"]["groups"])
        print("%s: %d targets, %d alert rules -> %s" % (
            name, len(p["targets"]), alerts, os.path.relpath(where, ROOT)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: render_rules.py OUT_DIR")
    main(sys.argv[1])
