"""The repository's ansible.cfg is used by operators and AWX against real
hosts, not only by the lab: nothing in it may weaken a production run."""
import configparser
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_cfg():
    parser = configparser.ConfigParser(interpolation=None)
    with open(os.path.join(ROOT, "ansible.cfg"), encoding="utf-8") as handle:
        parser.read_file(handle)
    return parser


def test_host_keys_are_checked():
    cfg = read_cfg()
    value = cfg.get("defaults", "host_key_checking", fallback="true")
    assert value.strip().lower() in ("true", "yes", "1", "on"), value


def test_no_ssh_option_turns_host_key_checking_off():
    cfg = read_cfg()
    for section in cfg.sections():
        for key, value in cfg.items(section):
            assert "stricthostkeychecking=no" not in value.replace(" ", "").lower(), (section, key)
            assert "userknownhostsfile=/dev/null" not in value.replace(" ", "").lower(), (section, key)
