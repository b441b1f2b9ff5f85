# Monitoring (cloudstack.infra.monitoring, playbooks/monitoring.yml):
# docs/monitoring.md. molecule-monitoring: Prometheus + Alertmanager on mon1,
# the node exporter on mon1, ms1 (+ a STAND-IN CloudStack exporter on 9595,
# not CloudStack) and kvm1 (+ libvirt certificate metrics), an outsider that
# must not reach the exporters; converge, idempotence, verify (testinfra
# state, check mode on the converged hosts, every planned target up, port
# exposure, CloudStackLibvirtCertExpiring and CloudStackFilesystemLowSpace
# firing). The debs are cached in the docker volume
# cloudstack-lab-monitoring-apt (`docker volume rm` it to drop them).
.PHONY: molecule-monitoring

molecule-monitoring: setup lab-image-container
	molecule test -s monitoring

TEST_TARGETS += molecule-monitoring
