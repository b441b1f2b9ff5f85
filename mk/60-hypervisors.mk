# Hypervisor hosts (issue 6): docs/hypervisors.md.
# Wall times measured on the 2-core machine while other scenarios ran
# (load average 8-10):
#   molecule-xenserver_host  2m16s - 4m40s (role logic against STAND-IN xe /
#                            xen-cmdline scripts; XenServer itself not proven)
#   molecule-kvm_host        11m07s (three containers; most of it is apt
#                            installing qemu/libvirt)
.PHONY: molecule-xenserver_host molecule-kvm_host unit-hypervisors
unit-hypervisors: setup
	pytest -q tests/unit/test_hypervisors_xen.py

molecule-xenserver_host: setup lab-image-container
	molecule test -s xenserver_host

molecule-kvm_host: setup lab-image-container
	molecule test -s kvm_host

TEST_TARGETS += molecule-xenserver_host molecule-kvm_host
