# The lab (docs/lab.md): base images, the molecule scenarios that prove the
# two platforms, and `make lab` / `make lab-down`.
.PHONY: lab lab-down lab-images lab-image-container lab-image-vm \
        molecule-lab_container molecule-lab_vm

lab-image-container:
	lab/bin/lab-image container

lab-image-vm:
	lab/bin/lab-image vm

lab-images:
	lab/bin/lab-image all

# Local machines that mirror inventories/lab, then site.yml on them.
lab: setup standin-tools
	lab/bin/lab-up

lab-down:
	lab/bin/lab-down

molecule-lab_container: setup lab-image-container
	molecule test -s lab_container

molecule-lab_vm: setup lab-image-vm
	molecule test -s lab_vm

# molecule-lab_vm is not in make test: its proof of the VM platform (a bond
# on a real kernel, lab-link's cuts, both cables out = unreachable) runs in
# molecule/hardware_lab's bond failover, on VMs that boot anyway (2 TCG
# boots and 131 s less in run 14's terms). Run it alone when changing
# lab/lib/lab_vm.py: make molecule-lab_vm.
TEST_TARGETS += molecule-lab_container
