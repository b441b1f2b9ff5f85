#!/bin/sh
# STAND-IN for XenServer's /opt/xensource/libexec/xen-cmdline (NOT XenServer):
# keeps the Xen command line's dom0_mem in a file and logs every call to
# /var/log/xe-standin.log. Only --get-xen KEY and --set-xen KEY=VALUE.
set -eu
line=/var/lib/xe-standin/xen-cmdline
echo "xen-cmdline $*" >> /var/log/xe-standin.log
case "${1:-}" in
  --get-xen)
    key=$2
    grep "^$key=" "$line" || true ;;
  --set-xen)
    key=${2%%=*}
    grep -v "^$key=" "$line" > "$line.tmp" || true
    echo "$2" >> "$line.tmp"; mv "$line.tmp" "$line" ;;
  *) echo "usage: xen-cmdline --get-xen KEY | --set-xen KEY=VALUE" >&2; exit 2 ;;
esac
