"""No secret in a diff or a log, collection-wide (roles/ and playbooks/).

Static audit:
* every task that WRITES a file carrying a secret (copy, template,
  lineinfile, blockinfile, ini_file, replace, assemble; and slurp, which
  returns a file's text) has ``diff: false`` or ``no_log: true``, so
  ``--diff`` (AWX's "Show Changes") and ``-v`` cannot print it. A task
  counts when its dest/path/src/content/line/block/value (with its loop and
  vars, and a template's own text) names a private key (``*.key``,
  ``.../key``, ``private``), a password, a secret, a token, a PSK or a
  credential, or one of the secret variables below (public keys, keyrings,
  fingerprints excepted);
* every task of any module that passes a secret variable (an option a role's
  meta/argument_specs.yml marks ``no_log: true``, and the playbooks' own
  secret variables) has ``no_log: true``; set_fact included (``-v`` prints
  the facts). The few exceptions are listed with the reason.

Behaviour: each role task that writes a key or secret file is run on the
controller with ``--diff`` against an existing file, with a recognisable
sentinel as the secret, and the whole output is grepped for it."""
import copy
import glob
import os
import re
import sys

import pytest
import yaml

from playbook_run import ROOT, run_play_output


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))

WRITERS = {"copy", "template", "lineinfile", "blockinfile", "ini_file", "replace", "assemble", "slurp", "host_files"}
SECRET = re.compile(r"((?<!item)\.key\b|/key\b|private|password|passwd|secret|token|\bpsk\b|_psk\b|_key\b|credential)", re.I)
PUBLIC = re.compile(r"(\.pub\b|keyring|\.asc\b|\.gpg\b|public|fingerprint|pubkey)", re.I)
WRITER_FIELDS = ("dest", "path", "src", "content", "line", "block", "value", "regexp", "files")
TASK_KEYS = {
    "name", "when", "loop", "loop_control", "register", "notify", "tags", "vars", "become", "become_user",
    "delegate_to", "run_once", "no_log", "diff", "changed_when", "failed_when", "check_mode", "until",
    "retries", "delay", "environment", "any_errors_fatal", "ignore_errors", "args", "listen", "async",
    "poll", "throttle", "block", "rescue", "always", "module_defaults", "timeout", "with_items", "with_dict",
}
# Not secrets: the repository's public signing key.
NOT_SECRET = {("roles/management_server/tasks/packages.yml", "Keep the key's text")}
# Tasks that name a secret variable without no_log, and why that is safe.
SAFE_WITHOUT_NO_LOG = {
    # the failure message replaces the secret and the key before it is shown
    ("roles/cloud/tasks/probe.yml", "Explain why the API did not answer (nothing has been changed)"),
}
# The playbooks' own secret variables (playbooks have no argument specs).
PLAYBOOK_SECRETS = {"awx_vault_password", "awx_cloudstack_api_key", "awx_cloudstack_api_secret",
                    "controller_password", "controller_oauthtoken"}


def _module(task):
    mods = [k for k in task if k not in TASK_KEYS]
    return mods[0] if mods else None


def _tasks(node):
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        if "hosts" not in node and "import_playbook" not in node and _module(node):
            yield node
        for key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers"):
            if key in node:
                yield from _tasks(node[key])


def _secret_variables():
    names = set(PLAYBOOK_SECRETS)
    for path in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")):
        with open(path, encoding="utf-8") as handle:
            specs = yaml.load(handle, Loader=_Loader)["argument_specs"]
        for entry in specs.values():
            for option, spec in (entry.get("options") or {}).items():
                if isinstance(spec, dict) and spec.get("no_log"):
                    names.add(option)
    return names


SECRET_VARS = _secret_variables()
SECRET_VAR_RE = re.compile(r"\b(%s)\b" % "|".join(sorted(SECRET_VARS)))
FILES = sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))
               + glob.glob(os.path.join(ROOT, "roles", "*", "handlers", "*.yml"))
               + glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))
               + glob.glob(os.path.join(ROOT, "playbooks", "tasks", "*.yml")))


def _all_tasks():
    for path in FILES:
        with open(path, encoding="utf-8") as handle:
            for task in _tasks(yaml.load(handle, Loader=_Loader) or []):
                yield os.path.relpath(path, ROOT), task


def _role_vars(path):
    """The role's vars/main.yml (tasks name their file lists there, e.g.
    cloudstack.infra.host_files' files), {} outside a role."""
    parts = path.split(os.sep)
    if parts[0] != "roles":
        return {}
    vars_file = os.path.join(ROOT, "roles", parts[1], "vars", "main.yml")
    if not os.path.exists(vars_file):
        return {}
    with open(vars_file, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader) or {}


def _extra(task, path=None):
    """The loop, the task's vars, and the role variables the task's text
    names (their definitions, one level deep: a host_files list in
    vars/main.yml is audited with the task that writes it)."""
    text = " %s %s" % (task.get("loop") or "", task.get("vars") or "")
    if path:
        role_vars = _role_vars(path)
        named = set(re.findall(r"\b(__[A-Za-z0-9_]+)", str(task) + text))
        text += " " + " ".join(str(role_vars[name]) for name in sorted(named) if name in role_vars)
    return text


def _writes_secret(path, task):
    module = _module(task)
    if module.split(".")[-1] not in WRITERS or (path, task.get("name")) in NOT_SECRET:
        return False
    args = task[module] if isinstance(task[module], dict) else {}
    text = " ".join(str(args.get(k, "")) for k in WRITER_FIELDS) + _extra(task, path)
    if module.split(".")[-1] == "template" and args.get("src"):
        template = os.path.join(ROOT, os.path.dirname(os.path.dirname(path)), "templates", str(args["src"]))
        if os.path.exists(template):
            with open(template, encoding="utf-8") as handle:
                text += " " + " ".join(re.findall(r"\{[{%](.*?)[%}]\}", handle.read(), re.S))
    if PUBLIC.search(str(args.get("dest", args.get("path", "")))):
        return False
    return bool(SECRET.search(text) or SECRET_VAR_RE.search(text))


TASKS = list(_all_tasks())
WRITER_CASES = [(p, t.get("name", "?"), t) for p, t in TASKS if _writes_secret(p, t)]
# assert, fail and debug print their messages only (an assertion's failure
# shows the expression's text, not the values): only those count there.
MESSAGES = {"assert": ("msg", "fail_msg", "success_msg"), "fail": ("msg",), "debug": ("msg", "var")}


def _passes_secret(task):
    module = _module(task)
    args = task[module]
    fields = MESSAGES.get(module.split(".")[-1])
    if fields is not None:
        text = " ".join(str(args.get(k, "")) for k in fields) if isinstance(args, dict) else str(args)
        # a message names a variable in prose; only its expressions print a value
        text = " ".join(re.findall(r"\{[{%](.*?)[%}]\}", text, re.S)) + (" " + args["var"] if isinstance(args, dict) and "var" in args else "")
    else:
        text = "%s%s %s" % (args, _extra(task), task.get("environment") or "")
    return bool(SECRET_VAR_RE.search(text))


USER_CASES = [(p, t.get("name", "?"), t) for p, t in TASKS
              if _passes_secret(t) and (p, t.get("name")) not in SAFE_WITHOUT_NO_LOG]


def test_the_audit_finds_the_known_secret_writers_and_users():
    names = [c[1] for c in WRITER_CASES]
    assert "Install CA, certificates and keys" in names          # kvm_host's libvirt TLS keys
    assert "Write the first server's key file" in names          # management_server
    assert "Write the TLS certificate and key (0640 root:haproxy)" in names   # load_balancer
    assert "Write Alertmanager's configuration (checked with amtool check-config)" in names
    assert {"cloudstack_db_password", "load_balancer_tls_key", "cloud_api_secret"} <= SECRET_VARS
    assert len(USER_CASES) > 10


@pytest.mark.parametrize("path,name,task", WRITER_CASES, ids=["%s: %s" % (c[0], c[1]) for c in WRITER_CASES])
def test_secret_writers_never_show_a_diff(path, name, task):
    assert task.get("no_log") is True or task.get("diff") is False, (
        "%s, task %r writes a key or secret: give it diff: false (or no_log: true)" % (path, name))


@pytest.mark.parametrize("path,name,task", USER_CASES, ids=["%s: %s" % (c[0], c[1]) for c in USER_CASES])
def test_tasks_passing_a_secret_are_no_log(path, name, task):
    assert task.get("no_log") is True, (
        "%s, task %r passes a secret variable (%s): give it no_log: true"
        % (path, name, SECRET_VAR_RE.search(str(task)).group(0)))


# ---- behaviour: --diff output of the real tasks, grepped for key material ----

SENTINEL = "SENTINEL-PRIVATE-KEY-MATERIAL-3f9c"


def _role_task(role, tasks_file, name):
    with open(os.path.join(ROOT, "roles", role, "tasks", tasks_file), encoding="utf-8") as handle:
        for task in _tasks(yaml.load(handle, Loader=_Loader) or []):
            if task.get("name") == name:
                task = copy.deepcopy(task)
                for key in ("notify", "when"):
                    task.pop(key, None)
                args = task[_module(task)]
                for key in ("owner", "group"):
                    args.pop(key, None)
                return task
    raise AssertionError("no task %r in roles/%s/tasks/%s" % (name, role, tasks_file))


def _kvm_host_tls(tmp_path):
    # what cloudstack.infra.certificate_authority hands the role (PEM texts)
    cert = "-----BEGIN CERTIFICATE-----\nnew certificate\n-----END CERTIFICATE-----\n"
    key = "-----BEGIN PRIVATE KEY-----\n%s new\n-----END PRIVATE KEY-----\n" % SENTINEL
    out = tmp_path / "out"
    out.mkdir()
    for name in ("server.key", "client.key"):
        (out / name).write_text("-----BEGIN PRIVATE KEY-----\n%s old\n-----END PRIVATE KEY-----\n" % SENTINEL)
    return "kvm1", _role_task("kvm_host", "tls.yml", "Install CA, certificates and keys"), {
        "__kvm_host_tls_server": {"ca": cert, "cert": cert, "key": key},
        "__kvm_host_tls_client": {"ca": cert, "cert": cert, "key": key},
        "kvm_host_tls_ca_cert": str(out / "ca.pem"),
        "kvm_host_tls_server_cert": str(out / "server.pem"), "kvm_host_tls_server_key": str(out / "server.key"),
        "kvm_host_tls_client_cert": str(out / "client.pem"), "kvm_host_tls_client_key": str(out / "client.key")}


def _load_balancer_tls(tmp_path):
    dest = tmp_path / "haproxy.pem"
    dest.write_text("old certificate\n%s old\n" % SENTINEL)
    return "lb1", _role_task("load_balancer", "haproxy.yml", "Write the TLS certificate and key (0640 root:haproxy)"), {
        "__load_balancer_tls_file": str(dest), "load_balancer_tls_certificate": "new certificate",
        "load_balancer_tls_key": "-----BEGIN PRIVATE KEY-----\n%s new\n-----END PRIVATE KEY-----" % SENTINEL}


def _management_key(tmp_path):
    dest = tmp_path / "key"
    dest.write_text("%s old\n" % SENTINEL)
    task = _role_task("management_server", "shared_secrets.yml", "Write the first server's key file")
    task["ansible.builtin.copy"]["dest"] = str(dest)
    import base64
    return "ms2", task, {"__management_server_first_key": {
        "content": base64.b64encode(("%s new\n" % SENTINEL).encode()).decode()}}


@pytest.mark.parametrize("setup", [_kvm_host_tls, _load_balancer_tls, _management_key],
                         ids=["kvm_host libvirt TLS keys", "load_balancer TLS key", "management_server key file"])
def test_diff_output_holds_no_key_material(tmp_path, setup):
    host, task, variables = setup(tmp_path)
    play = [{"hosts": host, "connection": "local", "gather_facts": False,
             "vars": dict(variables, ansible_python_interpreter=sys.executable), "tasks": [task]}]
    rc, output = run_play_output(tmp_path, play, host, "--diff")
    assert rc == 0, output
    assert "changed=1" in output, output          # the file was rewritten: a diff would have been shown
    assert SENTINEL not in output, "key material in the --diff output:\n" + output
