#!/usr/bin/env bash
# Runs the whole test suite inside a Debian 13 (trixie) chroot: libjxl 0.11,
# Python 3.13. Arguments go to pytest (e.g. -k center). Exits with the status
# of scripts/setup.sh if that fails, else with pytest's.
#
# The chroot is made once with debootstrap and kept outside the clone, at
# $ATTENTION_JXL_DEBIAN13_ROOT (default /var/cache/attention-jxl/debian13), so
# later runs reuse it together with the packages setup.sh installed into it;
# delete that directory to start from scratch. Each run copies the working tree
# in afresh (tracked files as they are on disk, plus untracked files git does
# not ignore), so no .venv or build/ passes between host and chroot, and mounts
# ../shared read-only at /work/shared. Needs root (re-runs itself with sudo).
set -euo pipefail

script=$(realpath "$0")
project=$(dirname "$(dirname "$script")")

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env "$script" "$@"
fi

# The rest runs with its mounts in a private mount namespace, which the host
# never sees, and its processes in a pid namespace: killing unshare kills them
# all and drops the mounts with them, so nothing outlives a run, not even one
# killed with SIGKILL. unshare ignores SIGINT and SIGTERM, so those are turned
# into that kill here.
if [ "${ATTENTION_JXL_DEBIAN13_UNSHARED:-}" != 1 ]; then
  export ATTENTION_JXL_DEBIAN13_UNSHARED=1
  # A background job starts with SIGINT ignored, and the tests need Ctrl-C
  # to behave as in a terminal: give it the default handler back.
  env --default-signal=INT unshare --mount --propagation private --pid --fork --kill-child \
    bash "$script" "$@" &
  child=$!
  stop() {
    kill -KILL "$child" 2>/dev/null || true
    wait "$child" || true
    echo "== debian13: stopped" >&2
    exit "$1"
  }
  trap 'stop 130' INT
  trap 'stop 143' TERM
  status=0
  wait "$child" || status=$?
  exit "$status"
fi

root=${ATTENTION_JXL_DEBIAN13_ROOT:-/var/cache/attention-jxl/debian13}
case $root in
  /?*) root=${root%/} ;;
  *) echo "error: ATTENTION_JXL_DEBIAN13_ROOT must be an absolute path, not '$root'" >&2; exit 2 ;;
esac
inside=/work/attention_jxl

say() { echo "== debian13: $*"; }

# The Debian archive URIs this machine's apt uses (deb822 and one-line files).
host_uris() {
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -nE 's/^URIs:\s*//p' | tr ' ' '\n'
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -nE 's/^\s*deb\s+(\[[^]]*\]\s+)?(\S+).*/\2/p'
  } | sed 's:/*$::'
}
mirror=$(host_uris | grep -E '/debian$' | head -1 || true)
security=$(host_uris | grep -E '/debian-security$' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

create_chroot() {
  local tmp="$root.partial"
  # Built aside and renamed when complete: a run killed halfway leaves only
  # $tmp, which the next one discards.
  rm -rf --one-file-system "$tmp"
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on the host"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  say "creating the chroot from $mirror (once; cached in $root)"
  # ca-certificates now, so setup.sh never installs it later and regenerates
  # the bundle copied in from the host.
  debootstrap --variant=minbase --include=ca-certificates trixie "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
    { tail -20 "$tmp.log" >&2; exit 1; }
  rm -f "$tmp/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates\nComponents: main\n' "$mirror"
    [ -z "$security" ] ||
      printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\nComponents: main\n' "$security"
  } >"$tmp/etc/apt/sources.list.d/debian.sources"
  mv "$tmp.log" "$tmp/var/log/debootstrap.log"
  touch "$tmp/.complete"
  mv "$tmp" "$root"
}

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount -R "${mounts[i]}" 2>/dev/null || umount -R -l "${mounts[i]}" || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mount_in() {  # mount_in TARGET MOUNT-ARGUMENTS...
  mkdir -p "$root$1"
  mount "${@:2}" "$root$1"
  mounts+=("$root$1")
}

# Something else already there: never write into or delete from it. (The
# stamp is made before the rename, so a chroot being created never fails this.)
if [ -e "$root" ] && [ ! -f "$root/.complete" ]; then
  echo "error: $root is not a chroot made by $0; move it away or set ATTENTION_JXL_DEBIAN13_ROOT" >&2
  exit 2
fi

start=$SECONDS
mkdir -p "$(dirname "$root")"
# One run at a time: they share the chroot and the project copy inside it.
exec 9>"$root.lock"
flock -n 9 || { say "waiting for another run to finish"; flock 9; }
[ -e "$root" ] || create_chroot
say "chroot ready in $((SECONDS - start)) s: $root"

# Host settings the chroot needs to reach Debian and PyPI: DNS, the CA bundle
# (with its local CAs, kept if apt rebuilds the bundle) and pip's global config.
cp /etc/resolv.conf /etc/hosts "$root/etc/"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
[ ! -d /usr/local/share/ca-certificates ] ||
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
[ ! -f /etc/pip.conf ] || cp /etc/pip.conf "$root/etc/"
rm -rf --one-file-system "$root/etc/xdg/pip"
[ ! -d /etc/xdg/pip ] || { mkdir -p "$root/etc/xdg" && cp -r /etc/xdg/pip "$root/etc/xdg/"; }

say "copying $project to $inside"
rm -rf --one-file-system "$root$inside"
mkdir -p "$root$inside"
git -c safe.directory="$project" -C "$project" ls-files -z --cached --others --exclude-standard |
  (cd "$project" && while IFS= read -r -d '' f; do
     if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi  # skips deleted files
   done) |
  tar -C "$project" --null -T - -cf - | tar -C "$root$inside" -xf -

mount_in /proc -t proc proc
mount_in /sys --rbind -o ro /sys  # cpuinfo (LiteRT's XNNPACK) reads /sys/devices/system/cpu
mount_in /dev --rbind /dev        # with /dev/pts and /dev/shm
if [ -d "$project/../shared" ]; then
  mount_in /work/shared --bind -o ro "$project/../shared"
else
  say "warning: $project/../shared not found; tests needing the model will fail"
fi

# A clean environment plus the host's pip, CA and proxy variables. One naming
# a host path gets the same thing inside: a file is copied, a directory the
# chroot lacks (e.g. PIP_FIND_LINKS=/opt/wheels) is mounted read-only; one
# naming nothing on the host is dropped.
environment=(HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
             "TERM=${TERM:-dumb}")
while IFS= read -r name; do
  value=${!name}
  if [[ $value == /* ]]; then
    if [ -f "$value" ]; then
      mkdir -p "$(dirname "$root$value")" && cp "$value" "$root$value"
    elif [ -d "$value" ]; then
      # Empty: only the mount point a previous run left.
      [ -n "$(ls -A "$root$value" 2>/dev/null)" ] || mount_in "$value" --bind -o ro "$value"
    else
      say "dropping $name=$value (not on this machine)"
      continue
    fi
  fi
  environment+=("$name=$value")
done < <(compgen -e | grep -E '^(PIP_|SSL_CERT_)|_CA_|^(https?|no)_proxy$|^(HTTPS?|NO)_PROXY$' || true)

say "running scripts/setup.sh and pytest inside ($(. "$root/etc/os-release" && echo "$PRETTY_NAME"))"
status=0
chroot "$root" /usr/bin/env -i "${environment[@]}" bash -c '
  set -e
  cd "$0"
  bash scripts/setup.sh
  exec .venv/bin/python -m pytest -q "$@"
' "$inside" "$@" || status=$?
say "done in $((SECONDS - start)) s, status $status"
exit "$status"
