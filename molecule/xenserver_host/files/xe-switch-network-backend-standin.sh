#!/bin/sh
# STAND-IN for XenServer's xe-switch-network-backend (NOT XenServer): writes
# the backend to /etc/xensource/network.conf and logs the call.
set -eu
echo "xe-switch-network-backend $*" >> /var/log/xe-standin.log
case "${1:-}" in
  bridge|openvswitch) echo "$1" > /etc/xensource/network.conf ;;
  *) echo "usage: xe-switch-network-backend bridge|openvswitch" >&2; exit 2 ;;
esac
