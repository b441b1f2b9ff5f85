# shellcheck shell=bash
# Shared helpers of the lab scripts (lab/bin/*). Sourced, never executed.
# Every check fails with a sentence that says what is wrong and how to fix it.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$LAB_ROOT/.." && pwd)
LAB_CACHE=${LAB_CACHE:-$LAB_ROOT/cache}
LAB_MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
LAB_SECURITY_MIRROR=${LAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
LAB_SUITE=bookworm

log()  { printf '%s lab: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die()  { printf 'lab: ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, docker, qemu taps and network namespaces need it); try: sudo $0 $*"
}

# need_disk PATH GIB: at least GIB free on the filesystem holding PATH.
need_disk() {
  local path=$1 gib=$2 avail
  mkdir -p "$path" 2>/dev/null || true
  while [ ! -e "$path" ]; do path=$(dirname "$path"); done
  avail=$(df -Pk "$path" | awk 'NR==2 {print int($4/1024/1024)}')
  [ "$avail" -ge "$gib" ] || die "not enough disk: ${avail} GiB free under $path, the lab needs ${gib} GiB; free some space (docker system prune, rm -rf $LAB_CACHE) and retry"
}

# need_mirror: the Debian mirror answers (debootstrap and apt-get need it).
need_mirror() {
  local url="$LAB_MIRROR/dists/$LAB_SUITE/Release"
  if command -v curl >/dev/null 2>&1; then
    curl -fsSI --max-time 15 "$url" >/dev/null 2>&1 \
      || die "no network to the Debian mirror: $url does not answer; check DNS/proxy, or set LAB_MIRROR to a reachable Debian mirror"
  else
    local host=${LAB_MIRROR#*://}; host=${host%%/*}
    timeout 15 bash -c "exec 3<>/dev/tcp/$host/80" 2>/dev/null \
      || die "no network to the Debian mirror: cannot connect to $host:80; check DNS/proxy, or set LAB_MIRROR"
  fi
}

# need_cmds "cmd:package ...": apt-get install the packages of missing commands.
need_cmds() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them: install them by hand"
  need_mirror
  log "installing missing packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || die "apt-get update failed: check /etc/apt/sources.list and the network to the Debian mirror"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# need_docker: the docker CLI is present and a daemon answers; start one if not.
need_docker() {
  need_cmds docker:docker.io dockerd:docker.io
  docker info >/dev/null 2>&1 && return 0
  log "no docker daemon answers: starting one"
  if [ -d /run/systemd/system ] && systemctl start docker >/dev/null 2>&1; then
    :
  else
    mkdir -p /var/log
    # 9>&-: lab-image holds its build lock on fd 9; a dockerd that inherited
    # it would hold that lock for its whole life and every later lab-image
    # call would wait on it forever.
    setsid nohup dockerd >/var/log/lab-dockerd.log 2>&1 < /dev/null 9>&- &
  fi
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { log "dockerd is up (${i}s)"; return 0; }
    sleep 1
  done
  die "dockerd did not come up in 60 s; see /var/log/lab-dockerd.log"
}

# recipe_hash DIR...: a stable hash of every file under the given paths.
recipe_hash() {
  (cd "$REPO_ROOT" && find "$@" -type f -print0 | LC_ALL=C sort -z \
     | xargs -0 sha256sum | sha256sum | cut -c1-16)
}
