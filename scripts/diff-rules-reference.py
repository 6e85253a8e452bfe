#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test of artifact rules against the reference verifier.

usage: scripts/diff-rules-reference.py path/to/in-toto SEED ITERATIONS

Builds random two-step supply chains (random artifact names with glob
metacharacters, random hashes, random rules of every type, MATCH with
and without IN prefixes), signs them with this project's in-toto, and
verifies each with /usr/bin/in-toto-verify and with `in-toto verify`.
Prints every case where the exit statuses differ (the case directory is
kept) and a summary line; exits 1 on any difference.
"""
import json, os, random, subprocess, sys, shutil, tempfile
if len(sys.argv) != 4:
    sys.exit(__doc__)
B = os.path.abspath(sys.argv[1])
seed = int(sys.argv[2]); iters = int(sys.argv[3])
rnd = random.Random(seed)
HERE = tempfile.mkdtemp(prefix="diff-rules.")
os.chdir(HERE)
for k in ("owner", "func"):
    subprocess.run([B, "keygen", "--sslib", "-t", "ed25519", k], check=True,
                   capture_output=True)
fid = subprocess.run([B, "key", "id", "func.pub"], capture_output=True, text=True).stdout.split()[1]
fobj = json.loads(subprocess.run([B, "key", "layout", "func.pub"], capture_output=True, text=True).stdout)
NAMES = ["a", "b", "a/b", "a/c.py", "d/e/f.py", "x.py", "[x]", "a[1]", "!n", "^c", "-", "q?", "s*t", "dir/sub/z", "dir/y", "b.txt", "é", "a\\b", "A"]
PATS = ["*", "a", "a/*", "*.py", "?", "[ab]", "[!a]*", "[^a]*", "[a-c]*", "*/*", "a?", "[]x]", "[!]]*", "[", "[x]", "\\*", "a\\b", "d/*", "*b*", "[z-a]", "[!z-a]", "[a-]", "é", "dir", "dir/*", "s*t", "**", "[[]x]"]
HASHES = ["aa", "bb", "cc"]
def arts():
    return {n: {"sha256": rnd.choice(HASHES)} for n in rnd.sample(NAMES, rnd.randint(0, 6))}
def rule():
    t = rnd.choice(["MATCH", "MATCH", "MATCH", "ALLOW", "ALLOW", "DISALLOW", "REQUIRE", "CREATE", "CREATE", "DELETE", "MODIFY", "MODIFY"])
    p = rnd.choice(PATS) if t != "REQUIRE" else rnd.choice(NAMES + PATS[:3])
    if t != "MATCH":
        return [rnd.choice([t, t.lower()]), p]
    r = ["MATCH", p]
    if rnd.random() < 0.3: r += ["IN", rnd.choice(["a", "a/", "dir", "d/e", "dir/sub"])]
    r += ["WITH", rnd.choice(["MATERIALS", "PRODUCTS", "products"])]
    if rnd.random() < 0.3: r += ["IN", rnd.choice(["a", "dir/", "d", ""])]
    r += ["FROM", rnd.choice(["s1", "s2", "nope"])]
    return r
def rules():
    if rnd.random() < 0.5: return []
    rs = [rule() for _ in range(rnd.randint(0, 5))]
    if rnd.random() < 0.5: rs.append(["DISALLOW", rnd.choice(["*", "*", "a*", "?"])])
    return rs
def step(n):
    return {"_type": "step", "name": n, "pubkeys": [fid], "threshold": 1, "expected_command": [],
            "expected_materials": rules(), "expected_products": rules()}
mism = 0; passes = 0
for it in range(iters):
    d = tempfile.mkdtemp(dir=HERE)
    p1 = arts()
    for n in ("s1", "s2"):
        mats = arts()
        prods = arts()
        if n == "s1" and rnd.random() < 0.5:
            prods = dict(mats)
            for k in list(prods)[:1]: prods[k] = {"sha256": rnd.choice(HASHES)}
            p1 = prods
        if n == "s2" and rnd.random() < 0.7:
            mats = dict(p1)
            if rnd.random() < 0.3 and mats:
                k = rnd.choice(list(mats)); mats[k] = {"sha256": rnd.choice(HASHES)}
        link = {"signatures": [], "signed": {"_type": "link", "name": n, "command": [], "byproducts": {}, "environment": {}, "materials": mats, "products": prods}}
        json.dump(link, open(os.path.join(d, n + ".u"), "w"))
        subprocess.run([B, "sign", "-q", "-f", os.path.join(d, n + ".u"), "-k", "func", "-o", os.path.join(d, "%s.%s.link" % (n, fid[:8]))], check=True)
    lay = {"signatures": [], "signed": {"_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "", "keys": {fid: fobj}, "steps": [step("s1"), step("s2")], "inspect": []}}
    json.dump(lay, open(os.path.join(d, "root.layout"), "w"))
    subprocess.run([B, "sign", "-q", "-f", os.path.join(d, "root.layout"), "-k", "owner"], check=True)
    args = ["-l", "root.layout", "-k", os.path.join(HERE, "owner.pub"), "-t", "ed25519"]
    home = tempfile.mkdtemp()
    ref = subprocess.run(["/usr/bin/in-toto-verify"] + args, cwd=d, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": home})
    our = subprocess.run([B, "verify"] + args, cwd=d, capture_output=True, text=True)
    passes += ref.returncode == 0
    if ref.returncode != our.returncode:
        mism += 1
        print("MISMATCH iter", it, "dir", d, "ref", ref.returncode, "our", our.returncode)
        print(" ref:", ref.stderr.strip()[-600:])
        print(" our:", our.stderr.strip()[-400:])
    else:
        shutil.rmtree(d)
    shutil.rmtree(home)
print("%d cases, %d passed in both, %d differences" % (iters, passes, mism))
if mism == 0:
    shutil.rmtree(HERE)
sys.exit(1 if mism else 0)
