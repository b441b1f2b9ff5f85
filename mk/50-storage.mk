# Storage tier (issue 5): docs/storage.md.
# molecule/nfs_storage: lab VM platform (kernel nfsd and LIO are not in this
# machine's kernel): three TCG VMs, real NFSv3/v4.1 mounts, the host firewall
# from outside, rpcbind's fixed ports, two iSCSI sessions on one LUN, and the
# roles' refusals. Passed end to end in 868 s (two other VMs running beside).
.PHONY: molecule-nfs_storage
molecule-nfs_storage: setup lab-image-vm
	molecule test -s nfs_storage
TEST_TARGETS += molecule-nfs_storage
TEST_VM_TARGETS += molecule-nfs_storage
