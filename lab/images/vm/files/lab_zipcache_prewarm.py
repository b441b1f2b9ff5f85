"""Fill the lab VM disk's zip-import bytecode cache (lab_zipcache.py), in the
chroot at build time (lab/images/vm/build.sh), from a tree laid out as inside
Ansible's module zips (ansible/module_utils/..., ansible_collections/NS/NAME/
plugins/...). Usage: python3 - TREE < lab_zipcache_prewarm.py"""
import os
import sys

import lab_zipcache

root = sys.argv[1]
done = 0
for d, _dirs, files in os.walk(root):
    for name in files:
        if name.endswith(".py"):
            full = os.path.join(d, name)
            with open(full, "rb") as f:
                source = f.read()
            try:
                lab_zipcache.cached_compile("/prewarm.zip/" + os.path.relpath(full, root), source)
            except (SyntaxError, ValueError):
                continue
            done += 1
print("lab-image vm: zip-import bytecode cache: %d sources compiled" % done)
