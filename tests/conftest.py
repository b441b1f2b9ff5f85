"""Make the collection importable as ansible_collections.cloudstack.infra.

The checkout ships collections/ansible_collections/cloudstack/infra as a
symlink to the repository root, so putting collections/ on sys.path is all
pytest needs to import the engine exactly as modules and plugins do.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
