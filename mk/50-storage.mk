# Storage tier (issue 5): docs/storage.md.
# Its proof on real kernels (kernel nfsd and LIO are not in this machine's
# kernel) is molecule/hardware_lab (mk/60-hypervisors.mk): one storage VM
# serves the storage tier's proof and the KVM host's.
