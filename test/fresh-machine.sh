#!/usr/bin/env bash
# Proves the README's test command on a machine without Chromium or fonts, without changing this
# machine: in a private mount namespace, / is overlaid on a tmpfs (every write vanishes at exit),
# Chromium and every font are removed inside the overlay, and a fresh clone of this checkout's
# HEAD (no node_modules, no dist-cli) runs `npm install && npm test` there. The browser set-up
# then installs Chromium and fonts for real, with apt-get, into the overlay.
#
# usage (root, Debian, network to the apt and npm mirrors): test/fresh-machine.sh
# Prints the test command's output; copies its screenshots to /tmp/heaplens-fresh-machine/.
set -euo pipefail
out=/tmp/heaplens-fresh-machine

case "${1:-}" in
'')
  [ "$(id -u)" = 0 ] || { echo "fresh-machine.sh needs root (mount namespace, overlay, chroot)" >&2; exit 1; }
  repo=$(cd "$(dirname "$0")/.." && pwd)
  rm -rf "$out" && mkdir -p "$out"
  exec unshare --mount --propagation private "$0" --in-namespace "$repo" "$(git -C "$repo" rev-parse HEAD)" < /dev/null
  ;;
--in-namespace)
  repo=$2 rev=$3
  base=$(mktemp -d /tmp/heaplens-overlay.XXXXXX)
  mount -t tmpfs -o size=16g tmpfs "$base"
  mkdir "$base/upper" "$base/work" "$base/root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
  for d in proc sys dev dev/pts dev/shm; do mount --bind "/$d" "$base/root/$d"; done
  git clone -q "$repo" "$base/root/tmp/heaplens"
  git -C "$base/root/tmp/heaplens" checkout -q "$rev"
  cp "$0" "$base/root/tmp/fresh-machine.sh"
  status=0
  chroot "$base/root" /bin/bash /tmp/fresh-machine.sh --in-chroot || status=$?
  cp -r "$base/root/tmp/heaplens/test-results" "$out/" 2>/dev/null || true
  umount -R "$base/root" || true
  umount "$base" && rmdir "$base"
  exit $status
  ;;
--in-chroot)
  export DEBIAN_FRONTEND=noninteractive
  fonts=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'fonts-*' | awk '$1 == "ii" {print $2}' | tr '\n' ' ')
  echo "== removing, inside the overlay only: chromium chromium-common $fonts and /usr/share/fonts/*"
  apt-get purge -y -qq chromium chromium-common $fonts > /dev/null
  rm -rf /usr/share/fonts/* /usr/local/share/fonts /var/cache/fontconfig/*
  echo "== /usr/bin/chromium: $(ls /usr/bin/chromium 2>&1 || true)"
  echo "== fonts left: $(fc-list 2>/dev/null | wc -l)"
  cd /tmp/heaplens
  echo "== $(git log --oneline -1 | cut -c1-80); $(ls -d node_modules dist-cli 2>&1 | tr '\n' ' ')"
  echo "== npm install && npm test"
  status=0
  (npm install && npm test) || status=$?
  echo "== exit status $status; fonts now: $(fc-list : family | sort -u | tr '\n' ';')"
  exit $status
  ;;
esac
