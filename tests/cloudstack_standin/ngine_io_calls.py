"""Which API commands and parameters the ngine_io.cloudstack modules send.

A static reading (ast) of the installed collection's modules and
module_utils, for the CloudStack API STAND-IN's table check: for every
`self.query_api('command', **args)` call it collects the keys that the
calling method puts in `args` (dict literals, `dict(k=...)`,
`args['k'] = ...`, `args.update(...)`, and the keys of a `self._helper()`
whose result becomes or updates `args`), plus keyword arguments written
into the call itself. It over-approximates a little (a key set on one
branch counts on all) and misses keys built at run time; the stand-in's
run-time refusal of unknown parameters catches what this misses.

    python tests/cloudstack_standin/ngine_io_calls.py   # prints command: params
"""

import ast
import glob
import json
import os


def ngine_io_root():
    """The installed ngine_io.cloudstack collection's directory (the ansible package ships it)."""
    import ansible_collections.ngine_io.cloudstack as ngine_io  # pylint: disable=import-outside-toplevel
    return list(ngine_io.__path__)[0]


def _literal_keys(node):
    """String keys of a dict literal or dict(k=...) call, else None."""
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        keys = {kw.arg for kw in node.keywords if kw.arg}
        for arg in node.args:
            keys |= _literal_keys(arg) or set()
        return keys
    return None


def _self_call(node):
    """Name of m in self.m(...), else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
        return node.func.attr
    return None


class _Method:
    def __init__(self, func):
        self.var_keys = {}      # variable name -> keys
        self.var_helpers = {}   # variable name -> helper methods whose keys it takes
        self.calls = []         # (command, var or None, explicit keyword keys)
        self.returns = set()    # variable names returned
        for node in ast.walk(func):
            self._visit(node)

    def _add(self, var, keys=None, helper=None):
        self.var_keys.setdefault(var, set()).update(keys or ())
        if helper:
            self.var_helpers.setdefault(var, set()).add(helper)

    def _visit(self, node):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                keys = _literal_keys(node.value)
                if keys is not None:
                    self._add(target.id, keys)
                elif _self_call(node.value):
                    self._add(target.id, helper=_self_call(node.value))
            elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                  and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
                self._add(target.value.id, {target.slice.value})
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr == "update" and isinstance(owner, ast.Name) and node.args:
                keys = _literal_keys(node.args[0])
                if keys is not None:
                    self._add(owner.id, keys)
                elif _self_call(node.args[0]):
                    self._add(owner.id, helper=_self_call(node.args[0]))
            elif node.func.attr == "query_api" and node.args and isinstance(node.args[0], ast.Constant):
                var = None
                explicit = set()
                for kw in node.keywords:
                    if kw.arg is None and isinstance(kw.value, ast.Name):
                        var = kw.value.id
                    elif kw.arg:
                        explicit.add(kw.arg)
                self.calls.append((node.args[0].value, var, explicit))
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            self.returns.add(node.value.id)


def _methods(path):
    with open(path, encoding="utf-8") as src:
        tree = ast.parse(src.read())
    return {f.name: _Method(f) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}


def _keys(methods, fallback, method, var, seen):
    keys = set(method.var_keys.get(var, ()))
    for helper in method.var_helpers.get(var, ()):
        target = methods.get(helper) or fallback.get(helper)
        if target is None or helper in seen:
            continue
        for ret in target.returns:
            keys |= _keys(methods, fallback, target, ret, seen | {helper})
    return keys


def calls(modules=None, root=None):
    """{command: set(params)} sent by the given ngine_io modules (all when None) and module_utils."""
    root = root or ngine_io_root()
    utils = _methods(os.path.join(root, "plugins", "module_utils", "cloudstack.py"))
    paths = sorted(glob.glob(os.path.join(root, "plugins", "modules", "cs_*.py")))
    if modules is not None:
        paths = [p for p in paths if os.path.basename(p)[:-3] in modules]
    found = {}
    for methods in [utils] + [_methods(p) for p in paths]:
        for method in methods.values():
            for command, var, explicit in method.calls:
                params = found.setdefault(command, set())
                params |= explicit
                if var:
                    params |= _keys(methods, utils, method, var, frozenset())
    for params in found.values():
        params.discard("fetch_list")  # the cs client's own flag: it pages with page/pagesize instead
    return found


ZONE_BUILD_MODULES = ("cs_zone", "cs_physical_network", "cs_traffic_type", "cs_pod", "cs_cluster", "cs_host",
                      "cs_storage_pool", "cs_image_store", "cs_configuration", "cs_disk_offering", "cs_vlan_ip_range")


if __name__ == "__main__":
    print(json.dumps({k: sorted(v) for k, v in sorted(calls(ZONE_BUILD_MODULES).items())}, indent=1))
