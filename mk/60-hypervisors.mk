# Hypervisor hosts (issue 6): docs/hypervisors.md.
# molecule-xenserver_host: the XenServer role's task logic against STAND-IN
#   xe / xen-cmdline scripts in a container (XenServer itself is not proven).
#   Wall time on the 2-core machine: 2m16s - 4m29s (load average 8-10).
.PHONY: molecule-xenserver_host unit-hypervisors
unit-hypervisors: setup
	pytest -q tests/unit/test_hypervisors_xen.py

molecule-xenserver_host: setup lab-image-container
	molecule test -s xenserver_host

TEST_TARGETS += molecule-xenserver_host
