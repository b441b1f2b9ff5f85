"""An inventory directory read the way the topology_validate action plugin
reads it (its _InventoryReader over Ansible's own inventory and variable
managers): one helper for every test that needs a real inventory's
variables with Ansible's types."""
import os
from collections import namedtuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

Read = namedtuple("Read", "inventory variables reader groups hostvars global_vars")


def read_inventory(path):
    """Read inventories/NAME (a name) or any inventory path."""
    # pylint: disable=import-outside-toplevel
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.hostvars import HostVars
    from ansible.vars.manager import VariableManager
    from ansible_collections.cloudstack.infra.plugins.action.topology_validate \
        import _InventoryReader

    class Task(object):
        @staticmethod
        def get_search_path():
            return [os.path.join(ROOT, "playbooks")]

    if os.sep not in path:
        path = os.path.join(ROOT, "inventories", path)
    loader = DataLoader()
    inv = InventoryManager(loader, [path])
    manager = VariableManager(loader, inv)
    reader = _InventoryReader(HostVars(inv, manager, loader), Task())
    groups = dict((k, list(v)) for k, v in inv.get_groups_dict().items())
    hostvars = dict((h.name, reader.host_vars(h.name)) for h in inv.get_hosts())
    global_vars = dict((k, v) for k, v in reader.all_layer.items()
                       if k.startswith("cloudstack_"))
    return Read(inv, manager, reader, groups, hostvars, global_vars)
