# NAT firewall (issue 7, docs/firewall.md).
# molecule/nat_firewall: lab container platform; `molecule test` passed end
# to end in 8 min 22 s wall time on the shared 2-core machine (2026-11-22).
.PHONY: molecule-nat_firewall
molecule-nat_firewall: setup
	lab/bin/lab-image container
	molecule test -s nat_firewall
TEST_TARGETS += molecule-nat_firewall

# molecule/nat_firewall_vpn: lab VM platform (WireGuard is not in this
# machine's kernel, so not in its containers). `molecule test` passed end to
# end in 21 min 24 s wall time (2 TCG VMs, shared 2-core machine, 2026-11-22).
.PHONY: molecule-nat_firewall_vpn
molecule-nat_firewall_vpn: setup
	lab/bin/lab-image vm
	molecule test -s nat_firewall_vpn
TEST_TARGETS += molecule-nat_firewall_vpn
TEST_VM_TARGETS += molecule-nat_firewall_vpn
