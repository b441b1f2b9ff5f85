"""playbooks/awx.yml against the argument specs of the installed awx.awx.

AWX cannot run here: these tests check every awx.awx task's parameters
(names, aliases, required options, choices) against the DOCUMENTATION of the
modules in the awx.awx collection that the pinned `ansible` package installs,
as `ansible-doc -j` reports it (doc fragments resolved), plus the shapes AWX
itself refuses (survey questions, credential type injectors). Not a live AWX.
"""
import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(ROOT, "playbooks", "awx.yml")
GROUP = "group/awx.awx.controller"
# Job templates that point at playbooks not written yet (none left).
NOT_YET_WRITTEN = set()
# AWX's survey question types (awx/main/models/mixins.py SurveyJobTemplateMixin).
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float",
                "multiplechoice", "multiselect"}
SECRET_WORDS = ("password", "secret", "token")


class PlaybookLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """SafeLoader that reads Ansible's !unsafe tag as a plain string."""


PlaybookLoader.add_constructor(
    "!unsafe", lambda loader, node: loader.construct_scalar(node))


def load_playbook():
    with open(PLAYBOOK, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=PlaybookLoader)  # nosec: SafeLoader subclass


def awx_tasks(plays):
    found = []
    for play in plays:
        for task in play.get("tasks", []):
            modules = [key for key in task if key.startswith("awx.awx.")]
            if modules:
                found.append((task, modules[0], task[modules[0]]))
    return found


PLAYS = load_playbook()
TASKS = awx_tasks(PLAYS)
MODULES = sorted({module for task, module, params in TASKS})


@pytest.fixture(scope="module", name="specs")
def fixture_specs():
    """The options of every awx.awx module the playbook uses (one ansible-doc run)."""
    ansible_doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    output = subprocess.run([ansible_doc, "-j"] + MODULES, check=True, env=env,
                            capture_output=True, text=True).stdout
    docs = json.loads(output)
    return {module: docs[module]["doc"]["options"] for module in MODULES}


def names_of(options):
    """Option name -> canonical name, aliases included."""
    names = {}
    for name, option in options.items():
        names[name] = name
        for alias in option.get("aliases") or []:
            names[alias] = name
    return names


def templated(value):
    return isinstance(value, str) and "{{" in value


def test_playbook_uses_the_expected_modules():
    assert MODULES == ["awx.awx.credential", "awx.awx.credential_type",
                       "awx.awx.inventory", "awx.awx.inventory_source",
                       "awx.awx.job_template", "awx.awx.organization",
                       "awx.awx.project"]


@pytest.mark.parametrize("task", TASKS, ids=[task["name"] for task, module, params in TASKS])
def test_task_parameters_match_the_argument_spec(task, specs):
    task, module, params = task
    options = specs[module]
    names = names_of(options)
    unknown = sorted(set(params) - set(names))
    assert not unknown, "%s: %s not options of %s" % (task["name"], unknown, module)
    given = {names[key] for key in params}
    defaults = PLAYS[0].get("module_defaults", {}).get(GROUP, {})
    given |= {names[key] for key in defaults if key in names}
    missing = sorted(name for name, option in options.items()
                     if option.get("required") and name not in given)
    assert not missing, "%s: required %s missing" % (task["name"], missing)
    for key, value in params.items():
        option = options[names[key]]
        if templated(value):
            continue
        if option.get("choices") is not None:
            assert value in option["choices"], (task["name"], key, value)
        kind = option.get("type", "str")
        expected = {"bool": bool, "list": list, "dict": dict, "int": int,
                    "str": (str, int, float)}.get(kind)
        if expected is not None:
            assert isinstance(value, expected), (task["name"], key, value, kind)


def test_module_defaults_are_connection_options_of_every_module(specs):
    defaults = PLAYS[0]["module_defaults"][GROUP]
    assert set(defaults) == {"controller_host", "controller_oauthtoken",
                             "controller_username", "controller_password",
                             "validate_certs"}
    for module in MODULES:
        names = names_of(specs[module])
        assert set(defaults) <= set(names), module
    # from the variables of the same names, else the modules read the
    # environment: never a default value
    for value in defaults.values():
        assert value.endswith("| default(omit) }}"), value


def test_secrets_have_no_default_and_tasks_carrying_them_are_no_log():
    play_vars = PLAYS[0]["vars"]
    for name in play_vars:
        assert not any(word in name for word in SECRET_WORDS), name
    for task, module, params in TASKS:
        text = json.dumps(params)
        if "awx_vault_password" in text or "awx_cloudstack_api_secret" in text:
            assert task.get("no_log") is True, task["name"]


def tasks_of(module):
    return [params for task, name, params in TASKS if name == module]


def test_cloudstack_credential_type():
    (ctype,) = tasks_of("awx.awx.credential_type")
    assert ctype["kind"] == "cloud"
    fields = {field["id"]: field for field in ctype["inputs"]["fields"]}
    assert set(fields) == {"api_url", "api_key", "api_secret"}
    assert fields["api_secret"].get("secret") is True
    assert not fields["api_key"].get("secret") and not fields["api_url"].get("secret")
    assert set(ctype["inputs"]["required"]) == set(fields)
    injectors = ctype["injectors"]
    assert injectors["env"] == {"CLOUDSTACK_ENDPOINT": "{{ api_url }}",
                                "CLOUDSTACK_KEY": "{{ api_key }}",
                                "CLOUDSTACK_SECRET": "{{ api_secret }}"}
    assert set(injectors["extra_vars"].values()) == {
        "{{ api_url }}", "{{ api_key }}", "{{ api_secret }}"}
    with open(PLAYBOOK, encoding="utf-8") as handle:
        text = handle.read()
    # AWX templates the injectors, Ansible must not: every one is !unsafe
    assert text.count('!unsafe "{{ api_') == 6


def test_vault_credential_uses_the_builtin_type():
    types = {params["credential_type"] for params in tasks_of("awx.awx.credential")}
    assert "Vault" in types


def test_inventory_source_is_the_projects_inventories_directory():
    (source,) = tasks_of("awx.awx.inventory_source")
    assert source["source"] == "scm"
    assert source["source_path"] == "{{ awx_inventory_source_path }}"
    assert PLAYS[0]["vars"]["awx_inventory_source_path"] == "inventories/production"
    assert os.path.isdir(os.path.join(ROOT, "inventories", "production"))


def job_templates():
    return {params["playbook"]: params for params in tasks_of("awx.awx.job_template")}


def test_job_templates_point_at_the_playbooks():
    templates = job_templates()
    assert set(templates) == {"playbooks/validate.yml", "site.yml",
                              "playbooks/capacity.yml", "playbooks/patch.yml",
                              "playbooks/db_failover.yml"}
    for playbook in set(templates) - NOT_YET_WRITTEN:
        assert os.path.isfile(os.path.join(ROOT, playbook)), playbook
    names = [params["name"] for params in templates.values()]
    assert len(set(names)) == len(names)


def test_launch_choices():
    for playbook, params in job_templates().items():
        if playbook == "playbooks/db_failover.yml":
            assert params["ask_limit_on_launch"] is False
            assert params["survey_enabled"] is True
        else:
            assert params["ask_limit_on_launch"] is True, playbook
            assert params["ask_tags_on_launch"] is True, playbook


def test_surveys_are_what_awx_accepts():
    for playbook, params in job_templates().items():
        if not params.get("survey_enabled"):
            continue
        spec = params["survey_spec"]
        assert spec["name"] and "description" in spec
        variables = [question["variable"] for question in spec["spec"]]
        assert len(set(variables)) == len(variables), playbook
        for question in spec["spec"]:
            assert question["type"] in SURVEY_TYPES, question
            assert question["question_name"], question
            if question["type"] in ("multiplechoice", "multiselect"):
                assert question["choices"], question
                assert question.get("default", "") in question["choices"] + [""], question


def test_failover_survey_asks_what_the_playbook_reads():
    spec = job_templates()["playbooks/db_failover.yml"]["survey_spec"]["spec"]
    questions = {question["variable"]: question for question in spec}
    assert set(questions) == {"cloudstack_db_failover_target",
                              "cloudstack_db_failover_target_confirm",
                              "cloudstack_db_failover_confirm",
                              "cloudstack_db_failover_allow_behind"}
    assert questions["cloudstack_db_failover_target"]["required"] is True
    assert questions["cloudstack_db_failover_target_confirm"]["required"] is True
    # the dangerous overrides default to off
    assert questions["cloudstack_db_failover_confirm"]["default"] == "false"
    assert questions["cloudstack_db_failover_allow_behind"]["default"] == "false"
    with open(os.path.join(ROOT, "playbooks", "db_failover.yml"), encoding="utf-8") as handle:
        failover = handle.read()
    for variable in questions:
        assert variable + " " in failover or variable + ")" in failover, variable
    # the playbook refuses a confirmation that is not the target's name
    assert ("(cloudstack_db_failover_target_confirm | string | trim)"
            " == cloudstack_db_failover_target") in failover


def test_site_survey_asks_the_batches_the_playbook_reads():
    spec = job_templates()["site.yml"]["survey_spec"]["spec"]
    questions = {question["variable"]: question for question in spec}
    assert set(questions) == {"cloudstack_hypervisor_serial",
                              "cloudstack_hypervisor_max_fail_percentage"}
    # the survey's defaults are the playbook's
    with open(os.path.join(ROOT, "playbooks", "hypervisors.yml"), encoding="utf-8") as handle:
        hypervisors = handle.read()
    for variable, question in questions.items():
        assert "%s | default(%r)" % (variable, question["default"]) in hypervisors, variable
