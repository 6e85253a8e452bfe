# SPDX-License-Identifier: Apache-2.0
# Hostile input to sign and sign --verify: each gives one clear error line
# and a non-zero exit, never a crash.
. "$TOP/tests/cli/lib.sh"
KEYS="$TOP/tests/data/keys"
layout="$INTEROP/cases/demo-rsa/root.layout"
[ -f "$layout" ] || skip "no corpus at $INTEROP"

# one_error: stderr is exactly one line, an error naming what failed.
one_error() {
    [ "$(wc -l < stderr.txt)" -eq 1 ] || { cat stderr.txt; die "not one line"; }
    expect_stderr "error: "
    expect_stderr "$1"
}

# A truncated PEM key.
expect_exit 1 "$INTOTO" sign -f "$layout" -k "$KEYS/truncated.pem" -o x
one_error "truncated.pem"
expect_exit 1 "$INTOTO" sign --verify -f "$layout" -k "$KEYS/truncated.pem"
one_error "truncated.pem"

# Keys on curves that are not supported.
expect_exit 1 "$INTOTO" sign -f "$layout" -k "$KEYS/ec-secp256k1.pem" -o x
one_error "unsupported ecdsa curve 'secp256k1'"
expect_exit 1 "$INTOTO" sign --verify -f "$layout" -k "$KEYS/ec-p521.pub"
one_error "unsupported ecdsa curve"
[ -f x ] && die "an output was written after a failure"

# RSA 1024: refused for signing, and for verifying a signature made with
# it (made here with openssl, filed under the key's legacy id).
expect_exit 1 "$INTOTO" sign -f "$layout" -k "$KEYS/rsa-1024.pem" -o x
one_error "1024 bits is too weak"
id=$("$INTOTO" key id "$KEYS/rsa-1024.pub" | awk '/^legacy:/ {print $2}')
printf '{}' > payload
sig=$(openssl dgst -sha256 -sign "$KEYS/rsa-1024.pem" -sigopt \
      rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 payload | od -An -v \
      -tx1 | tr -d ' \n')
[ ${#sig} -eq 256 ] || die "openssl did not sign"
printf '{"signatures": [{"keyid": "%s", "sig": "%s"}], "signed": {}}' \
    "$id" "$sig" > weak.link
expect_exit 1 "$INTOTO" sign --verify -f weak.link -k "$KEYS/rsa-1024.pub"
one_error "too weak"

# A signature of the wrong length, and one that is not hex.
id=$("$INTOTO" key id "$KEYS/rsa.pub" | awk '/^legacy:/ {print $2}')
printf '{"signatures": [{"keyid": "%s", "sig": "00ff"}], "signed": {}}' \
    "$id" > short.link
expect_exit 1 "$INTOTO" sign --verify -f short.link -k "$KEYS/rsa.pub"
one_error "'short.link': signature by key $id: signature has the wrong length"
printf '{"signatures": [{"keyid": "%s", "sig": "xyz!"}], "signed": {}}' \
    "$id" > nothex.link
expect_exit 1 "$INTOTO" sign --verify -f nothex.link -k "$KEYS/rsa.pub"
one_error "'nothex.link': signature by key $id: sig is not valid hex"

# A DSSE payload that is not base64.
printf '{"payload": "not base64!", "payloadType": "%s", "signatures": []}' \
    application/vnd.in-toto+json > bad-b64.link
expect_exit 1 "$INTOTO" sign --verify -f bad-b64.link -k "$KEYS/rsa.pub"
one_error "'bad-b64.link': payload is not valid base64"
expect_exit 1 "$INTOTO" sign -f bad-b64.link -k "$KEYS/rsa-pkcs8.pem"
one_error "payload is not valid base64"

# A keyid in signatures that matches no key given.
printf '{"signatures": [{"keyid": "0123", "sig": "00"}], "signed": {}}' \
    > stranger.link
expect_exit 1 "$INTOTO" sign --verify -f stranger.link -k "$KEYS/rsa.pub"
one_error "'stranger.link': no signature by key $id"

# Not JSON at all, and an empty file.
printf 'garbage' > garbage.link
expect_exit 1 "$INTOTO" sign --verify -f garbage.link -k "$KEYS/rsa.pub"
one_error "garbage.link"
: > empty.link
expect_exit 1 "$INTOTO" sign --verify -f empty.link -k "$KEYS/rsa.pub"
one_error "empty.link"

# An encrypted key without its password (stdin is not a terminal).
expect_exit 1 "$INTOTO" sign -f "$layout" -k "$KEYS/rsa-pkcs8-enc.pem" \
    -o x < /dev/null
one_error "a password is needed"
expect_exit 1 "$INTOTO" sign -f "$layout" -k "$KEYS/sslib-ecdsa-enc" \
    -P wrong -o x
one_error "wrong password"
[ -f x ] && die "an output was written after a failure"
echo "hostile input refused"
