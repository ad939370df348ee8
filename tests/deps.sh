#!/bin/sh
# Installs the Debian packages memtop needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the command and fails.
set -u
pkgs="build-essential pkg-config libncurses-dev zlib1g-dev libcmocka-dev clang jq tmux python3 procps util-linux python3-prometheus-client groff-base man-db libclang-rt-14-dev strace valgrind"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "memtop: missing packages:$missing" >&2
	echo "memtop: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "memtop: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null || {
	echo "memtop: apt-get install failed for:$missing" >&2
	exit 1
}
