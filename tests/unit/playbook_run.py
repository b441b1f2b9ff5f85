"""Run a play of a role's own tasks with ansible-playbook on the controller
(the tests of role guards: tests/unit/test_certificate_authority_dir.py,
tests/unit/test_database_redeploy_guard.py)."""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_play(tmp_path, play, host):
    """Write ``play`` (a list of plays) to tmp_path/play/play.yml, run it on
    the inventory ``host,`` with the repository's ansible.cfg and the json
    callback; return (rc, the host's result of each task in order)."""
    (tmp_path / "play").mkdir(exist_ok=True)
    book = tmp_path / "play" / "play.yml"
    book.write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           "-i", "%s," % host, str(book)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    return proc.returncode, [task["hosts"][host] for task in tasks]


def run_play_output(tmp_path, play, host, *args):
    """Like run_play, with the default (human) callback and extra
    ansible-playbook arguments (e.g. --diff): return (rc, stdout + stderr),
    what an operator or AWX's job output shows."""
    (tmp_path / "play").mkdir(exist_ok=True)
    book = tmp_path / "play" / "play.yml"
    book.write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           "-i", "%s," % host, *args, str(book)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr
