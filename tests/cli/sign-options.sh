# SPDX-License-Identifier: Apache-2.0
# in-toto sign: options, output names, append, DSSE, usage errors.
. "$TOP/tests/cli/lib.sh"
KEYS="$TOP/tests/data/keys"

expect_exit 0 "$INTOTO" sign --help
for opt in --file --key --key-type --prompt --password --output --append \
           --use-dsse --new-keyid --verify --gpg; do
    expect_stdout "$opt"
done
expect_exit 0 "$BIN/in-toto-sign" --help
expect_stdout "usage: in-toto-sign"

printf '{"signatures": [], "signed": {"_type": "layout", "expires":
 "2099-01-01T00:00:00Z", "inspect": [], "keys": {}, "readme": "",
 "steps": []}}' > root.layout
printf '{"signatures": [], "signed": {"_type": "link", "name": "build",
 "command": [], "materials": {}, "products": {}, "byproducts": {},
 "environment": {}}}' > build.link

expect_exit 2 "$INTOTO" sign -k "$KEYS/rsa-pkcs8.pem"
expect_stderr "-f/--file is required"
expect_exit 2 "$INTOTO" sign -f root.layout
expect_exit 2 "$INTOTO" sign -f root.layout -k
expect_exit 2 "$INTOTO" sign -f root.layout -k a b -t rsa
expect_exit 2 "$INTOTO" sign -f root.layout -k a -t dsa
expect_exit 2 "$INTOTO" sign -f root.layout -k a --bogus
expect_exit 2 "$INTOTO" sign -f root.layout -k a -g
expect_stderr "either -k KEY... or -g"
expect_exit 2 "$INTOTO" sign -f root.layout --verify -g
expect_stderr "at least one key id"
expect_exit 2 "$INTOTO" sign -f root.layout -k a --verify -o x
expect_exit 2 "$INTOTO" sign -f build.link -k "$KEYS/rsa-pkcs8.pem" \
    "$KEYS/ed25519-pkcs8.pem"
expect_stderr "exactly one key"
expect_exit 2 "$INTOTO" sign -f build.link -k "$KEYS/rsa-pkcs8.pem" -a

# A link goes to <name>.<keyid8>.link; -o overrides.
id=$("$INTOTO" key id "$KEYS/ed25519.pub" | awk '/^legacy:/ {print $2}')
expect_exit 0 "$INTOTO" sign -f build.link -k "$KEYS/ed25519-pkcs8.pem"
link="build.$(echo "$id" | cut -c1-8).link"
[ -f "$link" ] || die "no $link"
expect_exit 0 "$INTOTO" sign --verify -f "$link" -k "$KEYS/ed25519.pub"
expect_stdout "verified"
expect_exit 0 "$INTOTO" sign -q --verify -f "$link" -k "$KEYS/ed25519.pub"
[ -s stdout.txt ] && die "-q printed something"
expect_exit 0 "$INTOTO" sign -f build.link -k "$KEYS/ed25519-pkcs8.pem" \
    -o out.link
[ -f out.link ] || die "-o ignored"
# A private key file verifies too.
expect_exit 0 "$INTOTO" sign --verify -f out.link -k "$KEYS/ed25519-pkcs8.pem"

# A layout is signed in place; -a keeps other keys' signatures, without
# it they are replaced; --verify needs every key.
expect_exit 0 "$INTOTO" sign -f root.layout -k "$KEYS/rsa-pkcs8.pem"
expect_exit 0 "$INTOTO" sign -f root.layout -k "$KEYS/sslib-ecdsa" -a
expect_exit 0 "$INTOTO" sign --verify -f root.layout -k "$KEYS/rsa.pub" \
    "$KEYS/sslib-ecdsa.pub"
expect_exit 0 "$INTOTO" sign -f root.layout -k "$KEYS/sslib-ecdsa"
expect_exit 1 "$INTOTO" sign --verify -f root.layout -k "$KEYS/rsa.pub" \
    "$KEYS/sslib-ecdsa.pub"
rsaid=$("$INTOTO" key id "$KEYS/rsa.pub" | awk '/^legacy:/ {print $2}')
expect_stderr "no signature by key $rsaid"
[ "$(grep -c '"keyid"' root.layout)" -eq 1 ] || die "signatures not replaced"

# --use-dsse writes a DSSE envelope (compact, payloadType in-toto).
expect_exit 0 "$INTOTO" sign -f build.link -k "$KEYS/ec-p256-sec1.pem" \
    --use-dsse -o dsse.link
grep -q '^{"payload": "' dsse.link || die "not DSSE: $(head -c 80 dsse.link)"
grep -q '"payloadType": "application/vnd.in-toto+json"' dsse.link ||
    die "payloadType"
expect_exit 0 "$INTOTO" sign --verify -f dsse.link -k "$KEYS/ec-p256.pub"
# Signing a DSSE envelope keeps it DSSE and its payload bytes.
expect_exit 0 "$INTOTO" sign -f dsse.link -k "$KEYS/ec-p384-sec1.pem" \
    -o dsse2.link
payload() { sed 's/^{"payload": "\([^"]*\)".*/\1/' "$1"; }
[ "$(payload dsse.link)" = "$(payload dsse2.link)" ] || die "payload changed"
expect_exit 0 "$INTOTO" sign --verify -f dsse2.link -k "$KEYS/ec-p384.pub"

# --new-keyid files the signature under the new-form id.
newid=$("$INTOTO" key id "$KEYS/ed25519.pub" | awk '/^new:/ {print $2}')
expect_exit 0 "$INTOTO" sign -f build.link -k "$KEYS/ed25519-pkcs8.pem" \
    --new-keyid -o new.link
grep -q "\"keyid\": \"$newid\"" new.link || die "new.link lacks $newid"
[ -f "build.$(echo "$newid" | cut -c1-8).link" ] && die "wrote a default name"
expect_exit 0 "$INTOTO" sign --verify -f new.link -k "$KEYS/ed25519.pub"
expect_exit 2 "$INTOTO" sign --verify --new-keyid -f new.link -k x

# -p reads the password (from standard input when it is not a terminal).
echo secret | "$INTOTO" sign -p -f build.link -k "$KEYS/sslib-ecdsa-enc" \
    -o prompted.link > stdout.txt 2> stderr.txt || die "-p: $(cat stderr.txt)"
expect_exit 0 "$INTOTO" sign --verify -f prompted.link \
    -k "$KEYS/sslib-ecdsa-enc.pub"
echo wrong | "$INTOTO" sign -p -f build.link -k "$KEYS/rsa-pkcs1-enc.pem" \
    -o x.link > stdout.txt 2> stderr.txt && die "a wrong password worked"
expect_stderr "wrong password"

# The man page lists the options --help lists.
"$INTOTO" sign --help | grep -o -- '--[a-z-]*' | sort -u > help-opts.txt
sed 's/\\-/-/g' "$TOP/docs/man/in-toto-sign.1" | grep -o -- '--[a-z-]*' |
    sort -u > man-opts.txt
cmp -s help-opts.txt man-opts.txt ||
    die "--help and in-toto-sign.1 differ: $(diff help-opts.txt man-opts.txt)"
echo "sign options ok"
