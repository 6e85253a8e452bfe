# SPDX-License-Identifier: Apache-2.0
# in-toto key id / key layout: the ids of a key file in both forms, and
# the key object for a layout.
. "$TOP/tests/cli/lib.sh"
cases="$INTEROP/cases"
[ -d "$cases" ] || skip "no corpus at $INTEROP"

expect_exit 0 "$INTOTO" key --help
expect_stdout "--new-keyid"
expect_exit 2 "$INTOTO" key
expect_exit 2 "$INTOTO" key frob "$cases/demo-rsa/alice.pub"
expect_exit 2 "$INTOTO" key id
expect_exit 2 "$INTOTO" key id x --type dsa
expect_exit 1 "$INTOTO" key id does-not-exist
expect_stderr "does-not-exist"

# The legacy id of alice.pub is the one in-toto 1.3 signed the layout
# with; the new ids of the PEM keys are those in-toto 2.x used.
expect_exit 0 "$INTOTO" key id "$cases/demo-rsa/alice.pub"
legacy=$(awk '/^legacy:/ {print $2}' stdout.txt)
new=$(awk '/^new:/ {print $2}' stdout.txt)
[ ${#legacy} -eq 64 ] && [ ${#new} -eq 64 ] || die "ids: $(cat stdout.txt)"
[ "$legacy" != "$new" ] || die "legacy and new ids are equal"
grep -q "\"keyid\": \"$legacy\"" "$cases/demo-rsa/root.layout" ||
    die "legacy id $legacy is not the one demo-rsa/root.layout was signed with"
for k in rsa ed25519 ecdsa; do
    expect_exit 0 "$INTOTO" key id "$cases/upstream-py-pems/${k}_public.pem"
    new=$(awk '/^new:/ {print $2}' stdout.txt)
    grep -q "\"keyid\": \"$new\"" "$cases/upstream-py-pems/root.layout" ||
        die "new id $new of $k is not in upstream-py-pems/root.layout"
done

# key layout: the object carries the legacy id (with
# keyid_hash_algorithms), or with --new-keyid the new one (without); each
# works as a key file for sign --verify.
expect_exit 0 "$INTOTO" key layout "$cases/demo-rsa/alice.pub"
cp stdout.txt legacy.json
expect_stdout "\"keyid\": \"$legacy\""
expect_stdout '"keyid_hash_algorithms": ['
expect_stdout '"scheme": "rsassa-pss-sha256"'
expect_exit 0 "$INTOTO" sign --verify -f "$cases/demo-rsa/root.layout" \
    -k legacy.json
expect_exit 0 "$INTOTO" key layout --new-keyid \
    "$cases/upstream-py-pems/ecdsa_public.pem"
cp stdout.txt new.json
grep -q keyid_hash_algorithms new.json && die "new form has hash algorithms"
expect_stdout '"scheme": "ecdsa-sha2-nistp256"'
expect_exit 0 "$INTOTO" sign --verify -f "$cases/upstream-py-pems/root.layout" \
    -k new.json
# A private key file gives the same ids as its public key.
expect_exit 0 "$INTOTO" key id "$TOP/tests/data/keys/rsa-pkcs1.pem"
cp stdout.txt a.txt
expect_exit 0 "$INTOTO" key id "$TOP/tests/data/keys/rsa.pub"
cmp -s a.txt stdout.txt || die "private and public key ids differ"
echo "key id and key layout ok"
