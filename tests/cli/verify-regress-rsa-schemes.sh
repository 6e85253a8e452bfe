# SPDX-License-Identifier: Apache-2.0
# RSA keys of every scheme the reference's securesystemslib signs with
# (RSASSA-PSS and PKCS#1 v1.5 over SHA-224/256/384/512) verify; MD5 and
# SHA-1 schemes are refused.  The links are made by the reference's
# securesystemslib.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import securesystemslib.keys' 2>/dev/null ||
    skip "no securesystemslib for /usr/bin/python3"
fx_key owner || die "keygen failed"
"$PY" - <<'PY' || die "making the links failed"
import json
from securesystemslib.formats import encode_canonical
from securesystemslib import keys as K

keys, steps = {}, []
for scheme in ["rsassa-pss-sha224", "rsassa-pss-sha256", "rsassa-pss-sha384",
               "rsassa-pss-sha512", "rsa-pkcs1v15-sha224",
               "rsa-pkcs1v15-sha256", "rsa-pkcs1v15-sha384",
               "rsa-pkcs1v15-sha512"]:
    k = K.generate_rsa_key(2048, scheme=scheme)
    pub = K.format_keyval_to_metadata(k["keytype"], k["scheme"],
                                      {"public": k["keyval"]["public"]})
    pub["keyid"] = k["keyid"]
    keys[k["keyid"]] = pub
    name = "s-" + scheme
    link = {"_type": "link", "name": name, "materials": {}, "products": {},
            "byproducts": {}, "command": [], "environment": {}}
    sig = K.create_signature(k, encode_canonical(link).encode())
    with open("%s.%s.link" % (name, k["keyid"][:8]), "w") as f:
        json.dump({"signed": link, "signatures": [sig]}, f)
    steps.append({"_type": "step", "name": name, "pubkeys": [k["keyid"]],
                  "threshold": 1, "expected_command": [],
                  "expected_materials": [], "expected_products": []})
layout = {"_type": "layout", "expires": "2099-12-31T23:59:59Z",
          "readme": "", "keys": keys, "steps": steps, "inspect": []}
with open("root.layout", "w") as f:
    json.dump({"signed": layout, "signatures": []}, f)
PY
fx_sign root.layout owner || die "sign failed"
expect_exit 0 fx_verify
expect_stdout "the supply chain verified"

# A weak digest is refused, naming the scheme.
sed 's/"scheme": "rsa-pkcs1v15-sha224"/"scheme": "rsa-pkcs1v15-sha1"/' root.layout > weak.layout
fx_sign weak.layout owner || die "sign failed"
expect_exit 1 "$INTOTO" verify -l weak.layout -k owner.pub -t ed25519
expect_stderr "rsa-pkcs1v15-sha1"
exit 0
