#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Make the corpus of hostile archives that tests/cli/unpack-hostile.sh
# feeds to `in-toto unpack`: traversal, absolute names, symlink and hard
# link escapes, devices, FIFOs, duplicates, over-long names, and bombs
# (1 GiB of zeros in tar.gz/bz2/xz/zst and zip, 1,000,000 entries).
# usage: tests/security/mk-hostile-archives.sh OUTDIR CANARY
#   CANARY: absolute path of a directory that must stay untouched (the
#   relative attacks aim at "../canary"); OUTDIR/MANIFEST lists the
#   archives with the message each must be refused with.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 OUTDIR CANARY" >&2; exit 2; }
case $2 in
/*) ;;
*) echo "$0: CANARY must be an absolute path" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
exec python3 "$here/mk_hostile.py" "$1" "$2"
