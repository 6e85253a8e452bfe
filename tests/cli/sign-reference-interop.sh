# SPDX-License-Identifier: Apache-2.0
# Keys from our keygen (rsa PEM; ed25519 and ecdsa in the securesystemslib
# format, one encrypted) sign a layout and links with our sign; the
# reference's in-toto-sign --verify accepts each signature and its
# in-toto-verify accepts the supply chain.  Ed25519 signatures are
# deterministic, so our signed link must equal the reference's byte for
# byte.
. "$TOP/tests/cli/lib.sh"
[ -x /usr/bin/in-toto-sign ] || skip "/usr/bin/in-toto-sign is missing"

expect_exit 0 "$INTOTO" keygen -t rsa -b 2048 alice
expect_exit 0 "$INTOTO" keygen -t ed25519 --sslib bob
expect_exit 0 "$INTOTO" keygen -t ecdsa --format sslib -P pw carl
head -c 1 carl | grep -q '{' && die "carl was not encrypted"

keyobj() { "$INTOTO" key layout "$1"; }
keyid() { "$INTOTO" key id "$1" | awk '/^legacy:/ {print $2}'; }
bob=$(keyid bob.pub)
carl=$(keyid carl.pub)
[ -n "$bob" ] && [ -n "$carl" ] || die "no key ids"

step() {
    printf '{"_type": "step", "name": "%s", "expected_command": [],
      "expected_materials": [], "expected_products": [["ALLOW", "*"]],
      "pubkeys": ["%s"], "threshold": 1}' "$1" "$2"
}
cat > unsigned.layout <<EOF2
{"signatures": [], "signed": {"_type": "layout",
 "expires": "2099-01-01T00:00:00Z", "inspect": [], "readme": "",
 "keys": {"$bob": $(keyobj bob.pub), "$carl": $(keyobj carl.pub)},
 "steps": [$(step build "$bob"), $(step test "$carl")]}}
EOF2
link() {
    printf '{"signatures": [], "signed": {"_type": "link", "name": "%s",
     "command": ["make"], "materials": {}, "products": {"out": {"sha256":
     "%s"}}, "byproducts": {"return-value": 0, "stderr": "", "stdout":
     "\\u00e9 \\t"}, "environment": {}}}' "$1" \
     "0000000000000000000000000000000000000000000000000000000000000000"
}
link build > build.link
link test > test.link

# The layout: signed by alice (PEM), bob and carl appended.
expect_exit 0 "$INTOTO" sign -f unsigned.layout -k alice -o root.layout
expect_exit 0 "$INTOTO" sign -f root.layout -k bob carl -t ed25519 ecdsa \
    -a -P pw
expect_exit 0 ref in-toto-sign -f root.layout -k alice.pub -t rsa --verify
expect_exit 0 ref in-toto-sign -f root.layout -k bob.pub -t ed25519 --verify
expect_exit 0 ref in-toto-sign -f root.layout -k carl.pub -t ecdsa --verify

# The links, written to <name>.<keyid8>.link.
expect_exit 0 "$INTOTO" sign -f build.link -k bob
expect_exit 0 "$INTOTO" sign -f test.link -k carl -P pw
b8=$(echo "$bob" | cut -c1-8)
c8=$(echo "$carl" | cut -c1-8)
[ -f "build.$b8.link" ] && [ -f "test.$c8.link" ] || die "link names"
expect_exit 0 ref in-toto-sign -f "build.$b8.link" -k bob.pub -t ed25519 \
    --verify
expect_exit 0 ref in-toto-sign -f "test.$c8.link" -k carl.pub -t ecdsa \
    --verify

# The reference verifies the whole chain with our layout and links.
expect_exit 0 ref in-toto-verify --layout root.layout \
    --layout-keys alice.pub bob.pub --key-types rsa ed25519
# ... and refuses it when the layout signature is broken.
awk '!done && /"sig": "/ {
    i = index($0, "\"sig\": \"") + 8
    c = substr($0, i, 1) == "a" ? "b" : "a"
    $0 = substr($0, 1, i - 1) c substr($0, i + 1); done = 1
} {print}' root.layout > bad.layout
cmp -s bad.layout root.layout && die "could not corrupt the layout"
expect_exit 1 ref in-toto-sign -f bad.layout -k alice.pub -t rsa --verify

# Byte for byte: the reference signing the same link with the same
# ed25519 key writes the same file.
mkdir ours theirs
(cd ours && "$INTOTO" sign -f ../build.link -k ../bob) || die "our sign"
(cd theirs && ref in-toto-sign -f ../build.link -k ../bob -t ed25519) ||
    die "reference sign failed"
cmp "ours/build.$b8.link" "theirs/build.$b8.link" ||
    die "our signed link differs from the reference's"
echo "reference accepted our keys, signatures and layout"
