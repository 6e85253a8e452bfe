#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Links recorded by our in-toto-run for a two-step supply chain are
# accepted by the reference's in-toto-verify; a tampered product is not.
. "$TOP/tests/cli/lib.sh"
have_reference || skip "reference /usr/bin/in-toto-verify is not installed"
[ -x /usr/bin/in-toto-keygen ] && [ -x /usr/bin/in-toto-sign ] ||
    skip "reference in-toto-keygen or in-toto-sign is not installed"

mkdir w && cd w || die "mkdir"
ref in-toto-keygen owner >/dev/null || die "keygen owner"
ref in-toto-keygen alice >/dev/null || die "keygen alice"
ref in-toto-keygen -t ed25519 bob >/dev/null || die "keygen bob"

# The layout: write creates src.c, package turns it into pkg.tar.
ref python3 - <<'PY' || die "cannot write the layout"
import json
from securesystemslib.interface import import_publickeys_from_file
keys = import_publickeys_from_file(["alice.pub", "bob.pub"],
                                   ["rsa", "ed25519"])
alice, bob = [k for k in keys.values()]
if alice["keytype"] != "rsa":
    alice, bob = bob, alice
layout = {
    "_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "",
    "keys": keys,
    "steps": [
        {"_type": "step", "name": "write", "threshold": 1,
         "pubkeys": [alice["keyid"]], "expected_command": ["sh", "-c"],
         "expected_materials": [],
         "expected_products": [["CREATE", "src.c"], ["DISALLOW", "*"]]},
        {"_type": "step", "name": "package", "threshold": 1,
         "pubkeys": [bob["keyid"]],
         "expected_command": ["tar", "cf", "pkg.tar", "src.c"],
         "expected_materials": [
             ["MATCH", "src.c", "WITH", "PRODUCTS", "FROM", "write"],
             ["DISALLOW", "*"]],
         "expected_products": [["CREATE", "pkg.tar"], ["ALLOW", "src.c"],
                               ["DISALLOW", "*"]]},
    ],
    "inspect": [],
}
json.dump({"signatures": [], "signed": layout}, open("root.layout", "w"),
          indent=1, sort_keys=True)
PY
ref in-toto-sign -f root.layout -k owner || die "in-toto-sign"

expect_exit 0 "$BIN/in-toto-run" -n write -k alice -p src.c -- \
    sh -c 'printf "int main(void) { return 0; }\n" > src.c'
expect_exit 0 "$BIN/in-toto-run" -n package -k bob -t ed25519 -m src.c \
    -p pkg.tar src.c -- tar cf pkg.tar src.c
ls write.*.link package.*.link >/dev/null || die "links not written"

expect_exit 0 ref in-toto-verify -l root.layout -k owner.pub

# Record "write" again with other content: package's materials no longer
# match write's products, so verification must fail.
expect_exit 0 "$BIN/in-toto-run" -n write -k alice -p src.c -- \
    sh -c 'printf "int main(void) { return 1; }\n" > src.c'
expect_exit 1 ref in-toto-verify -l root.layout -k owner.pub
exit 0
