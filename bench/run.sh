#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make bench: time and measure the main workloads side by side with a
# plain tree hasher (the floor) and, where installed, the reference.
# Figures: median wall seconds over RUNS runs after one warm-up, and the
# largest peak RSS.  Paths must not contain spaces.  usage: bench/run.sh path/to/in-toto
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RUNS=${RUNS:-5}
data=${BENCH_DIR:-${TMPDIR:-/tmp}/intoto-bench}
mktrees="$top/../shared/bench/mktrees.py"
mkdir -p "$data"
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time" >&2; exit 1; }

cc -O2 -pthread -o "$data/hashtree" "$top/bench/hashtree.c" -lcrypto

# measure LABEL CMD...: prints "LABEL  median-wall  peak-RSS".  The wall
# time is hyperfine's median when it is installed (millisecond resolution),
# else the median of /usr/bin/time's; the peak RSS is /usr/bin/time's
# largest.
measure() {
    label=$1; shift
    "$@" >/dev/null 2>&1 || true
    i=0; : > "$data/times"
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %M' -o "$data/t1" "$@" >/dev/null 2>&1 || true
        cat "$data/t1" >> "$data/times"
        i=$((i + 1))
    done
    wall=""
    if command -v hyperfine >/dev/null 2>&1 && command -v jq >/dev/null 2>&1
    then
        hyperfine -N -i --style none --warmup 1 --runs "$RUNS" \
            --export-json "$data/h.json" -- "$*" >/dev/null 2>&1 &&
            wall=$(jq '.results[0].median' "$data/h.json")
    fi
    sort -n "$data/times" | awk -v l="$label" -v h="$wall" '{ w[NR] = $1;
        if ($2 > m) m = $2 } END { t = h != "" ? h : w[int((NR + 1) / 2)];
        printf "  %-34s %8.3f s %8.1f MiB\n", l, t, m / 1024 }'
}

have_ref() { [ -x /usr/bin/in-toto-run ]; }
ref() {
    p=$1; shift
    env -i PATH=/usr/bin:/bin HOME="$data/home" "/usr/bin/$p" "$@"
}
mkdir -p "$data/home" "$data/keys"
[ -f "$data/keys/k" ] || (cd "$data/keys" && "$bin" keygen -t rsa k >/dev/null)
[ -f "$data/keys/kr" ] || (cd "$data/keys" && "$bin" keygen -t rsa --sslib kr >/dev/null)

echo "== recording (in-toto run, warm cache)"
if [ -f "$mktrees" ]; then
    [ -d "$data/trees/trees/src" ] ||
        python3 "$mktrees" --perf-dir "$data/trees" --only src,big,empty
    for t in src big empty; do
        d="$data/trees/trees/$t"
        [ -d "$d" ] || continue
        echo " tree $t:"
        cd "$data"
        measure "hashtree -j2 (floor)" "$data/hashtree" -j 2 "$d"
        measure "in-toto run" "$bin" run -n bench -p "$d" \
            -k "$data/keys/k" -d "$data" -x
        if have_ref; then
            measure "reference in-toto-run" env -i -C "$data" \
                PATH=/usr/bin:/bin HOME="$data/home" /usr/bin/in-toto-run \
                -n ref -p "$d" -k "$data/keys/kr" -x
        fi
    done
else
    echo " (no $mktrees: skipped)"
fi

echo "== verification of a 3-step chain (MATCH, DISALLOW)"
for n in 10 10000 100000; do
    c="$data/chain$n"
    if [ ! -f "$c/root.layout" ]; then
        rm -rf "$c"; mkdir -p "$c"
        "$bin" key layout "$data/keys/k.pub" > "$c/key.json"
        id=$("$bin" key id "$data/keys/k.pub" | awk '$1 == "legacy:" {print $2}')
        python3 "$top/bench/mkchain.py" "$n" "$c" "$id" "$c/key.json"
        for s in a b c; do
            "$bin" sign -f "$c/$s.json" -k "$data/keys/k" -o "$c/$s.${id%"${id#????????}"}.link"
        done
        "$bin" sign -f "$c/layout.json" -k "$data/keys/k" -o "$c/root.layout"
        cp "$data/keys/k.pub" "$c/owner.pub"
    fi
    echo " $n artifacts per link:"
    cd "$c"
    measure "in-toto verify" "$bin" verify -l root.layout -k owner.pub
    if have_ref && [ "$n" -le 100000 ]; then
        measure "reference in-toto-verify" env -i -C "$c" \
            PATH=/usr/bin:/bin HOME="$data/home" /usr/bin/in-toto-verify \
            -l root.layout -k owner.pub -t rsa
    fi
done

if [ -f "$top/bench/unpack.sh" ]; then
    echo "== unpacking"
    sh "$top/bench/unpack.sh" "$bin"
fi
