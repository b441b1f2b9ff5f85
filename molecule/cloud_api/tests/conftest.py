"""Fixtures of molecule/cloud_api's state tests: the clouds, their stand-ins
(read with the `cs` client, the client ngine_io.cloudstack uses) and the plan
cloudstack.infra.cloud_plan makes of each cloud's inventory.

Run by verify.yml with CLOUD_API_CLOUDS (JSON: name, inventory, url, key,
secret, state file) in the environment.
"""

import json
import os
import subprocess
import tempfile

import pytest
from cs import CloudStack

ROOT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())


def _clouds():
    return json.loads(os.environ["CLOUD_API_CLOUDS"])


def plan_of(inventory):
    """The plan of an inventory, from the filter itself (ansible ad hoc on localhost writes it as JSON)."""
    env = dict(os.environ, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks")
    if os.environ.get("CLOUD_API_NESTED_COLLECTIONS_PATH"):
        env["ANSIBLE_COLLECTIONS_PATH"] = os.environ["CLOUD_API_NESTED_COLLECTIONS_PATH"]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "plan.json")
        subprocess.run(
            ["ansible", "localhost", "-i", inventory, "-m", "ansible.builtin.copy",
             "-a", "content={{ hostvars | cloudstack.infra.cloud_plan(groups) | to_json }} dest=%s mode=0600" % path],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        with open(path, encoding="utf-8") as src:
            return json.load(src)


class Cloud:
    """One cloud: its name, plan, stand-in client and state file."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.spec = spec
        self.cs = CloudStack(endpoint=spec["url"], key=spec["key"], secret=spec["secret"], method="post")
        self.plan = plan_of(spec["inventory"])

    def state(self):
        with open(self.spec["state"], encoding="utf-8") as src:
            return json.load(src)

    def items(self, command, **args):
        """Every item a list command returns (all pages)."""
        return getattr(self.cs, command)(fetch_list=True, **args) or []

    def zone(self, name):
        zones = [z for z in self.items("listZones") if z["name"] == name]
        assert len(zones) == 1, "zone %s: %d in CloudStack" % (name, len(zones))
        return zones[0]


@pytest.fixture(scope="session", params=[c["name"] for c in _clouds()])
def cloud(request):
    spec = [c for c in _clouds() if c["name"] == request.param][0]
    return Cloud(spec)
