# The validator's generated documentation (issue "One topology model, one
# rule engine"): the rule table of docs/validator.md and docs/inventory.md,
# from the rule registry (plugins/module_utils/topology_rules*.py) and the
# schema (topology_schema.py). tests/unit/test_rule_docs.py fails when a
# checked-in text is stale, so `make test` (its unit step) catches it.
.PHONY: validator-docs
validator-docs: setup
	python tests/rule_docs.py
