#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the build and test dependencies from Debian's packages.
# As root it installs them; otherwise it prints the command to run.
set -eu
build="pkg-config libssl-dev libjson-c-dev libarchive-dev libgit2-dev
libcmocka-dev"
# Tools the tests and the demo use: the reference in-toto (round trips),
# archivers for inspections and archive tests, git, hyperfine for benchmarks.
tools="in-toto git tar gzip bzip2 xz-utils zstd unzip zip cpio
libarchive-tools python3 hyperfine time jq gnupg openssl"
pkgs="$build ${INSTALL_TEST_DEPS-$tools}"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq $missing >&2
