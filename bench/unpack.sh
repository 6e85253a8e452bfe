#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Unpacking benchmark: a ~200 MB tar.gz of 20,000 files (sizes 1 KiB to
# 64 KiB plus a few large ones, random bytes so the archive stays large),
# extracted by `in-toto unpack`, GNU `tar xzf` and `bsdtar -xf`, each
# into a fresh directory.  Uses hyperfine when installed (mean of RUNS
# runs after a warm-up), else /usr/bin/time; prints peak RSS as well.
# The trees are written to BENCH_OUT (default /dev/shm when it exists, so
# that the figures measure the extractors rather than the disk).
# usage: bench/unpack.sh path/to/in-toto
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RUNS=${RUNS:-5}
data=${BENCH_DIR:-${TMPDIR:-/tmp}/intoto-bench}/unpack
mkdir -p "$data"
arch=$data/tree.tar.gz

if [ ! -f "$arch" ]; then
    python3 - "$data/tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rng = random.Random(20000)
for i in range(20000):
    d = os.path.join(root, "d%02d" % (i % 50), "s%02d" % (i % 7))
    os.makedirs(d, exist_ok=True)
    size = rng.choice((1, 2, 4, 8, 8, 16, 16)) * 1024 + rng.randrange(1024)
    if i % 2000 == 0:
        size = 4 << 20
    with open(os.path.join(d, "f%05d.dat" % i), "wb") as f:
        f.write(os.urandom(size))
PY
    (cd "$data" && tar -czf tree.tar.gz tree)
    rm -rf "$data/tree"
fi
files=$(tar -tzf "$arch" | grep -vc '/$')
echo " archive: $(du -m "$arch" | cut -f1) MB, $files files"

if [ -z "${BENCH_OUT:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    BENCH_OUT=/dev/shm
fi
out=${BENCH_OUT:-$data}/intoto-unpack-bench.$$
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 1 --runs "$RUNS" --style basic \
        --prepare "sh -c 'rm -rf $out && mkdir -p $out'" \
        -n "in-toto unpack" "$bin unpack $arch -C $out" \
        -n "tar xzf" "tar -xzf $arch -C $out" \
        -n "bsdtar -xf" "bsdtar -xf $arch -C $out" 2>&1 |
        sed "s|$data/||g; s|$bin|in-toto|"
else
    for cmd in "$bin unpack $arch -C $out" "tar -xzf $arch -C $out" \
               "bsdtar -xf $arch -C $out"; do
        i=0
        while [ $i -lt "$RUNS" ]; do
            rm -rf "$out"
            mkdir -p "$out"
            /usr/bin/time -f '%e' -a -o "$data/times" $cmd
            i=$((i + 1))
        done
        echo "  $cmd: $(sort -n "$data/times" | sed -n "$(( (RUNS + 1) / 2 ))p") s (median)"
        rm -f "$data/times"
    done
fi
if [ -x /usr/bin/time ]; then
    for cmd in "$bin unpack $arch -C $out" "tar -xzf $arch -C $out" \
               "bsdtar -xf $arch -C $out"; do
        rm -rf "$out"
        mkdir -p "$out"
        /usr/bin/time -f "  peak RSS %M KiB, %e s: $cmd" $cmd
    done 2>&1 | sed "s|$data/||g; s|$bin|in-toto|"
fi
rm -rf "$out"
