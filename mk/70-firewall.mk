# NAT firewall (issue 7): molecule/nat_firewall on the lab's container platform.
# Wall time on the 2-core CI machine: see docs/firewall.md.
.PHONY: molecule-nat_firewall
molecule-nat_firewall: setup
	lab/bin/lab-image container
	molecule test -s nat_firewall
