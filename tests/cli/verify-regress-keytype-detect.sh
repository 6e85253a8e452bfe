# SPDX-License-Identifier: Apache-2.0
# verify -k without -t reads the key's type from the file (an ed25519 and
# an ecdsa PEM key verify); an explicit -t that does not match still fails.
. "$TOP/tests/cli/lib.sh"
printf '{"signatures": [], "signed": {"_type": "layout", "expires":
 "2099-01-01T00:00:00Z", "inspect": [], "keys": {}, "readme": "",
 "steps": []}}' > root.layout
for t in ed25519 ecdsa; do
    "$INTOTO" keygen -t "$t" "$t" >/dev/null || die "keygen $t failed"
    cp root.layout "$t.layout"
    "$INTOTO" sign -f "$t.layout" -k "$t" >/dev/null || die "sign failed"
    expect_exit 0 "$BIN/in-toto-verify" -l "$t.layout" -k "$t.pub"
    expect_exit 1 "$BIN/in-toto-verify" -l "$t.layout" -k "$t.pub" -t rsa
    expect_stderr "not rsa"
done
exit 0
