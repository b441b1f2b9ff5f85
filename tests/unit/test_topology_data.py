"""The encoded rule data against the seed's tables, cell for cell."""
import glob
import os

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import (
    topology_data as D)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
# The seed documents themselves live beside the repository only on the
# maintainers' machines; the excerpts the tests read are checked in, and
# compared line for line with the seeds where those are present.
SEEDS = os.environ.get("CLOUDSTACK_SEEDS",
                       os.path.join(os.path.dirname(__file__), "..", "..",
                                    "..", "shared", "seeds"))


def _read(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def seed_text():
    return _read("seed_000_excerpt.txt")


def seed_001_text():
    return _read("seed_001_excerpt.txt")


@pytest.mark.parametrize("excerpt, pattern", [
    ("seed_000_excerpt.txt", "000_*.txt"),
    ("seed_001_excerpt.txt", "001_*.txt")])
def test_excerpts_are_verbatim(excerpt, pattern):
    files = sorted(glob.glob(os.path.join(SEEDS, pattern)))
    if not files:
        pytest.skip("seed %s not found under %s (set CLOUDSTACK_SEEDS)"
                    % (pattern, SEEDS))
    with open(files[0]) as handle:
        seed_lines = set(handle.read().splitlines())
    quoted = [line for line in _read(excerpt).splitlines()
              if line.startswith(("|", " ", "- "))]
    assert quoted
    for line in quoted:
        assert line in seed_lines, line


def tables(text):
    """Markdown tables of the seed: list of (header cells, rows)."""
    found, current = [], None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if current is None:
                current = (cells, [])
                found.append(current)
            elif not all(set(c) <= set("-:") for c in cells):
                current[1].append(cells)
        else:
            current = None
    return found


def seed_table(first_header):
    for header, rows in tables(seed_text()):
        if header[0] == first_header:
            return header, rows
    raise AssertionError("table %r not in the seed" % first_header)


def test_feature_table_matches_seed_cell_for_cell():
    header, rows = seed_table("Feature")
    columns = [D.SEED_COLUMNS[h] for h in header[1:]]
    assert tuple(columns) == D.FEATURE_COLUMNS
    encoded = dict((label, cells) for label, cells in D.FEATURE_TABLE.values())
    assert len(rows) == len(encoded) == 11
    for row in rows:
        assert row[0] in encoded, row[0]
        assert tuple(row[1:]) == encoded[row[0]], row[0]


def test_storage_table_matches_seed_cell_for_cell():
    header, rows = seed_table("Primary Storage Type")
    columns = [D.SEED_COLUMNS[h] for h in header[1:]]
    assert tuple(columns) == D.STORAGE_COLUMNS
    encoded = dict((label, cells) for label, cells in D.STORAGE_TABLE.values())
    assert len(rows) == len(encoded) == 7
    for row in rows:
        cells = tuple(row[1:]) + ("",) * (len(columns) - len(row) + 1)
        assert cells == encoded[row[0]], row[0]


def test_seed_numbers():
    text = seed_text()
    assert "should not exceed 6 TB" in text and D.PRIMARY_STORAGE_MAX_TB == 6
    assert "2940 MB" in text and D.XEN_DOM0_MEMORY_MB == 2940
    assert "(N-1) * (per-host-limit)" in text


def test_cluster_sizes_from_second_seed():
    text = seed_001_text()
    assert "XenServer: up to 8 Hosts per Cluster" in text
    assert "vSphere: 8 Hosts per Cluster" in text
    assert "KVM: up to 16 hosts per Cluster" in text
    assert "100GB minimum" in text and D.SECONDARY_STORAGE_MIN_GB == 100
    assert D.CLUSTER_MAX_HOSTS == {"XenServer": 8, "VMware": 8, "KVM": 16}


@pytest.mark.parametrize("cell,severity", [
    ("Yes", None), ("Yes (Native)", None), ("DRS", None), ("No", "error"),
    ("N/A", "error"), ("?", "warning")])
def test_cell_severity(cell, severity):
    assert D.cell_severity(cell) == severity


# The contract's reading of the storage table (CS202 / CS203).
@pytest.mark.parametrize("stype,hv,severity", [
    ("nfs", "KVM", None), ("nfs", "XenServer", None), ("nfs", "VMware", None),
    ("nfs", "LXC", None), ("nfs", "HyperV", "error"),
    ("iscsi", "XenServer", None), ("iscsi", "VMware", None),
    ("iscsi", "KVM", "error"), ("iscsi", "LXC", "error"),
    ("iscsi", "HyperV", "error"),
    ("fc", "XenServer", None), ("fc", "VMware", None), ("fc", "KVM", "error"),
    ("shared_mountpoint", "KVM", None), ("shared_mountpoint", "LXC", None),
    ("shared_mountpoint", "XenServer", "error"),
    ("smb", "HyperV", None), ("smb", "KVM", "error"),
    ("local", "HyperV", None), ("local", "KVM", None),
    ("clvm", "XenServer", None), ("clvm", "KVM", "error"),
    ("vmfs", "VMware", None), ("vmfs", "XenServer", "error"),
    ("presetup", "XenServer", None), ("presetup", "VMware", "error"),
    ("nfs", "BareMetal", "error"),
])
def test_storage_type_support(stype, hv, severity):
    assert D.storage_type_support(stype, hv)[0] == severity


@pytest.mark.parametrize("stype,hv,severity", [
    ("nfs", "XenServer", None), ("iscsi", "XenServer", "error"),
    ("nfs", "VMware", None), ("iscsi", "VMware", None),
    ("fc", "VMware", "error"), ("nfs", "KVM", None), ("local", "KVM", "error"),
    ("nfs", "LXC", "error"), ("smb", "HyperV", "warning"),
])
def test_overprovisioning_support(stype, hv, severity):
    assert D.overprovisioning_support(stype, hv)[0] == severity
