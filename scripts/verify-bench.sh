#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Time `in-toto verify` on a three-step layout whose links list N
# artifacts each as materials and products (MATCH * WITH PRODUCTS FROM the
# previous step, then DISALLOW *), as the performance targets describe.
# usage: scripts/verify-bench.sh path/to/in-toto [N...]   (default 10000
# 100000).  Needs python3 to write the links; prints /usr/bin/time's
# elapsed seconds and peak memory for each N.
set -eu

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
[ $# -gt 0 ] || set -- 10000 100000
work=$(mktemp -d "${TMPDIR:-/tmp}/verify-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

"$bin" keygen -t ed25519 owner >/dev/null
"$bin" keygen -t ed25519 func >/dev/null
fid=$("$bin" key id func.pub | awk '$1 == "legacy:" { print $2 }')
f8=$(echo "$fid" | cut -c1-8)
"$bin" key layout func.pub > func.json

python3 - "$fid" <<'PY'
import json, sys
fid = sys.argv[1]
key = json.load(open("func.json"))
def step(name, mats, prods):
    return {"_type": "step", "name": name, "pubkeys": [fid], "threshold": 1,
            "expected_command": [], "expected_materials": mats,
            "expected_products": prods}
def prev(p):
    return [["MATCH", "*", "WITH", "PRODUCTS", "FROM", p], ["DISALLOW", "*"]]
layout = {"_type": "layout", "expires": "2099-01-01T00:00:00Z",
          "readme": "", "keys": {fid: key}, "inspect": [],
          "steps": [step("s1", [], [["ALLOW", "*"]]),
                    step("s2", prev("s1"), prev("s1")),
                    step("s3", prev("s2"), prev("s2"))]}
json.dump({"signatures": [], "signed": layout}, open("root.layout", "w"))
PY
"$bin" sign -q -f root.layout -k owner

for n in "$@"; do
    mkdir "d$n"
    python3 - "$n" "d$n" <<'PY'
import hashlib, json, sys
n, out = int(sys.argv[1]), sys.argv[2]
arts = {}
for i in range(n):
    name = "src/dir%03d/file%06d.c" % (i % 1000, i)
    arts[name] = {"sha256": hashlib.sha256(name.encode()).hexdigest()}
for step, mats in (("s1", {}), ("s2", arts), ("s3", arts)):
    link = {"_type": "link", "name": step, "command": [],
            "byproducts": {"return-value": 0, "stderr": "", "stdout": ""},
            "environment": {}, "materials": mats, "products": arts}
    json.dump({"signatures": [], "signed": link},
              open("%s/%s.unsigned" % (out, step), "w"), indent=1,
              sort_keys=True)
PY
    for s in s1 s2 s3; do
        "$bin" sign -q -f "d$n/$s.unsigned" -k func -o "d$n/$s.$f8.link"
        rm "d$n/$s.unsigned"
    done
    /usr/bin/time -f "$n artifacts per link: %e s, %M KiB" \
        "$bin" verify -q -l root.layout -k owner.pub -t ed25519 \
        --link-dir "d$n"
done
