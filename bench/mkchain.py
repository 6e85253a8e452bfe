#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the unsigned payloads of a 3-step supply chain whose links list N
artifacts each, for the verification benchmark.

usage: mkchain.py N OUTDIR KEYID
Writes OUTDIR/layout.json (unsigned Metablock), OUTDIR/<step>.json (link
Metablocks without signatures) for steps a, b, c: a creates N files, b
matches them as materials and products, c as materials."""
import hashlib
import json
import sys


def main():
    n, out, keyid, keyobj = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
        json.load(open(sys.argv[4]))
    arts = {}
    for i in range(n):
        name = "src/d%03d/file%06d.c" % (i % 500, i)
        arts[name] = {"sha256": hashlib.sha256(name.encode()).hexdigest()}
    steps = ["a", "b", "c"]
    for i, s in enumerate(steps):
        link = {"_type": "link", "name": s, "command": [],
                "materials": {} if i == 0 else arts, "products": arts,
                "byproducts": {}, "environment": {}}
        with open("%s/%s.json" % (out, s), "w") as f:
            json.dump({"signatures": [], "signed": link}, f, indent=1,
                      sort_keys=True)
    layout_steps = []
    for i, s in enumerate(steps):
        mats = [["DISALLOW", "*"]] if i == 0 else [
            ["MATCH", "*", "WITH", "PRODUCTS", "FROM", steps[i - 1]],
            ["DISALLOW", "*"]]
        layout_steps.append({
            "_type": "step", "name": s, "expected_command": [],
            "expected_materials": mats,
            "expected_products": [["ALLOW", "*"]] if i == 0 else [
                ["MATCH", "*", "WITH", "MATERIALS", "FROM", s],
                ["DISALLOW", "*"]],
            "pubkeys": [keyid], "threshold": 1})
    layout = {"_type": "layout", "expires": "2099-01-01T00:00:00Z",
              "readme": "", "inspect": [], "keys": {keyid: keyobj},
              "steps": layout_steps}
    with open("%s/layout.json" % out, "w") as f:
        json.dump({"signatures": [], "signed": layout}, f, indent=1,
                  sort_keys=True)


main()
