# The lab (docs/lab.md): base images, the molecule scenarios that prove the
# two platforms, and `make lab` / `make lab-down`.
.PHONY: lab-images lab-image-container lab-image-vm molecule-lab_container

lab-image-container:
	lab/bin/lab-image container

lab-image-vm:
	lab/bin/lab-image vm

lab-images:
	lab/bin/lab-image all

molecule-lab_container: setup lab-image-container
	molecule test -s lab_container

TEST_TARGETS += molecule-lab_container
