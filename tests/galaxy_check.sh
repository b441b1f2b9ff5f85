#!/usr/bin/env bash
# `make galaxy-check` (mk/80-galaxy.mk): what a user of the collection gets.
#  1. The tarball (`ansible-galaxy collection build`) is built from a copy of
#     the checkout (its files as git sees them) in which every kind of
#     development leftover is planted (.ansible, .venv, .cache, the kvm_host
#     lab CA in playbooks/.kvm_host_ca, a vault.yml, ...), so the result does
#     not depend on what earlier steps left behind. Its file list must hold
#     none of the development material and every file users need.
#  2. galaxy.yml `dependencies` are exactly the collections roles/,
#     playbooks/, plugins/ and site.yml use (tests/galaxy_check.py deps).
#  3. The tarball installs offline into a temporary directory; its
#     dependencies resolve against the collections of the venv's `ansible`
#     package (Galaxy is not reachable), so their lower bounds must hold.
#  4. ansible-doc, reading the INSTALLED copy (ANSIBLE_COLLECTIONS_PATH is the
#     temporary directory only, no ansible.cfg, run from outside the
#     checkout), documents every module (the action-backed ones included),
#     every filter (YAML sidecars) and every role.
#  5. ansible-builder introspect finds the collection's EE requirements in
#     the installed copy, and `ansible-builder create` writes the build
#     context of execution-environment.yml (no image is built).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/galaxy-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
say() { echo "galaxy-check: $*"; }
fail() {
  say "FAIL: $*"
  exit 1
}
version=$(sed -n 's/^version: *//p' galaxy.yml)
tarball_name=cloudstack-infra-$version.tar.gz

# 1. Build from a planted copy.
copy=$tmp/copy
mkdir -p "$copy"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
done | xargs -0 cp --parents -d -t "$copy"
planted=(
  .ansible/collections/ansible_collections/x/y/galaxy.yml
  .cache/test-times .lab/secrets.yml .pytest_cache/README.md .venv/pyvenv.cfg
  context/Containerfile old-cloudstack-infra-0.0.1.tar.gz
  playbooks/.kvm_host_ca/ca.key playbooks/.kvm_host_ca/kvm1-server.pem
  inventories/production/group_vars/all/vault.yml
  plugins/filter/__pycache__/topology.cpython-311.pyc
)
for f in "${planted[@]}"; do
  mkdir -p "$copy/$(dirname "$f")"
  echo planted >"$copy/$f"
done
(cd "$copy" && ansible-galaxy collection build --output-path "$tmp/build" >/dev/null)
tarball=$tmp/build/$tarball_name
[ -f "$tarball" ] || fail "ansible-galaxy collection build made no $tarball_name"
tar -tzf "$tarball" >"$tmp/entries"
sed 's#/$##' "$tmp/entries" | sort >"$tmp/packed"
say "tarball: $(wc -l <"$tmp/entries") entries ($(grep -vc '/$' "$tmp/entries") files), $(du -k "$tarball" | cut -f1) kB"

dev='^(\.ansible|\.ansible-lint|\.cache|\.ci|\.config|\.gitignore|\.lab|\.pytest_cache|\.venv'
dev+='|CONTRIBUTING\.md|Makefile|ansible\.cfg|collections|context|execution-environment\.yml'
dev+='|lab|mk|molecule|requirements\.txt|tests|playbooks/\.kvm_host_ca)(/|$)'
dev+='|(^|/)__pycache__(/|$)|(^|/)vault\.yml$|\.tar\.gz$'
if grep -E "$dev" "$tmp/packed" >"$tmp/bad"; then
  fail "development material in the tarball ($(wc -l <"$tmp/bad") entries): $(cut -d/ -f1-2 "$tmp/bad" | sort -u | tr '\n' ' ')"
fi
# Every file users need: what git tracks in these paths, plus Galaxy's own.
{
  git ls-files roles plugins playbooks docs inventories meta \
    site.yml README.md COPYING CHANGELOG.md
  printf '%s\n' MANIFEST.json FILES.json
} | sort >"$tmp/needed"
if comm -23 "$tmp/needed" "$tmp/packed" | grep . >"$tmp/missing"; then
  fail "missing from the tarball: $(tr '\n' ' ' <"$tmp/missing")"
fi
say "tarball: no development material, all $(wc -l <"$tmp/needed") files users need"

# 2. Dependencies = what is used.
site_packages=$(python -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')
python tests/galaxy_check.py deps "$root" "$site_packages"

# 3. Offline install; dependencies from the venv's ansible package.
install=$tmp/install
: >"$tmp/ansible.cfg"
export ANSIBLE_CONFIG=$tmp/ansible.cfg
ANSIBLE_COLLECTIONS_PATH=$install:$site_packages \
  ansible-galaxy collection install --offline -p "$install" "$tarball" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; fail "offline install of the tarball"; }
grep -q "cloudstack.infra:$version was installed successfully" "$tmp/install.log" \
  || { cat "$tmp/install.log"; fail "offline install did not install cloudstack.infra $version"; }
say "offline install: $(grep -c 'is already installed, skipping' "$tmp/install.log") dependencies met by the pinned ansible package"

# 4. ansible-doc of every module, filter and role, from the installed copy.
inst=$install/ansible_collections/cloudstack/infra
export ANSIBLE_COLLECTIONS_PATH=$install
names() { # dir suffix: the plugin names the installed copy holds
  find "$inst/$1" -maxdepth 1 -name "*$2" ! -name '__init__.py' -printf '%f\n' | sed "s/$2\$//" | sort
}
names plugins/modules .py >"$tmp/module.names"
names plugins/filter .yml >"$tmp/filter.names"
find "$inst/roles" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort >"$tmp/role.names"
for a in $(names plugins/action .py); do
  grep -qxF "$a" "$tmp/module.names" || fail "action plugin $a has no module of its name (its documentation)"
done
for t in module filter role; do
  [ -s "$tmp/$t.names" ] || fail "no ${t}s in the installed collection"
  (
    cd "$tmp"
    ansible-doc -t "$t" --list --json cloudstack.infra >"$t.list.json"
    sed 's/^/cloudstack.infra./' "$t.names" | xargs ansible-doc -t "$t" --json >"$t.doc.json"
  )
  python tests/galaxy_check.py docs "$install" "$t" "$tmp/$t.names" "$tmp/$t.list.json" "$tmp/$t.doc.json"
done

# 5. The execution environment.
ansible-builder introspect --sanitize "$install" >"$tmp/introspect.txt"
for req in netaddr jmespath cryptography openssh-clients; do
  grep -Eq "^- '?$req\b.*from collection cloudstack\.infra" "$tmp/introspect.txt" \
    || { cat "$tmp/introspect.txt"; fail "ansible-builder introspect: no $req from cloudstack.infra"; }
done
say "ansible-builder introspect: the installed collection declares its EE requirements"
grep -q "name: galaxy/$tarball_name\$" execution-environment.yml \
  || fail "execution-environment.yml does not install galaxy/$tarball_name (galaxy.yml version $version)"
# In the copy, where the README's build command leaves the tarball.
mkdir -p "$copy/.cache/galaxy"
cp "$tarball" "$copy/.cache/galaxy/"
(cd "$copy" && ansible-builder create -f execution-environment.yml --context "$tmp/ee" \
  --output-filename Containerfile) >"$tmp/builder.log" 2>&1 \
  || { cat "$tmp/builder.log"; fail "ansible-builder create"; }
for f in Containerfile _build/requirements.yml _build/requirements.txt _build/bindep.txt "_build/galaxy/$tarball_name"; do
  [ -s "$tmp/ee/$f" ] || fail "ansible-builder create wrote no $f"
done
grep -q 'ansible-galaxy collection install' "$tmp/ee/Containerfile" \
  || fail "the Containerfile installs no collection"
say "ansible-builder create: build context with Containerfile and $tarball_name"
say "ok"
