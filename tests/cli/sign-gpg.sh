# SPDX-License-Identifier: Apache-2.0
# in-toto sign -g: a throw-away gpg keyring (an RSA key with an RSA
# signing subkey, an Ed25519 key) signs links and layouts; our --verify -g
# and the reference's in-toto-sign --verify -g accept the signatures, and
# we accept the reference's.
. "$TOP/tests/cli/lib.sh"
command -v gpg >/dev/null 2>&1 || skip "gpg is missing"

H="$TMPDIR/g"
mkdir -m 700 "$H" || die "cannot make $H"
trap 'gpgconf --homedir "$H" --kill all >/dev/null 2>&1' EXIT
g() {
    gpg --batch --homedir "$H" --passphrase '' --pinentry-mode loopback \
        "$@" >/dev/null 2>&1
}
g --quick-gen-key 'Test <t@example.org>' rsa3072 sign never ||
    die "cannot make an RSA key"
fprs() {
    gpg --batch --homedir "$H" --with-colons --list-secret-keys 2>/dev/null |
        awk -F: '$1 == "fpr" {print $10}'
}
rsa=$(fprs | sed -n 1p)
g --quick-add-key "$rsa" rsa3072 sign || die "cannot add a subkey"
g --quick-gen-key 'Ed <e@example.org>' ed25519 sign never ||
    die "cannot make an Ed25519 key"
sub=$(fprs | sed -n 2p | tr 'A-F' 'a-f')
ed=$(fprs | sed -n 3p)
[ ${#rsa} -eq 40 ] && [ ${#sub} -eq 40 ] && [ ${#ed} -eq 40 ] ||
    die "no fingerprints: '$rsa' '$sub' '$ed'"

printf '{"signatures": [], "signed": {"_type": "link", "name": "build",
 "command": ["make"], "materials": {}, "products": {}, "byproducts": {},
 "environment": {}}}' > build.link
printf '{"signatures": [], "signed": {"_type": "layout", "expires":
 "2099-01-01T00:00:00Z", "inspect": [], "keys": {}, "readme": "",
 "steps": []}}' > root.layout

# A link: gpg signs with the subkey, which names the file.
expect_exit 0 "$INTOTO" sign -f build.link -g "$rsa" --gpg-home "$H"
link="build.$(echo "$sub" | cut -c1-8).link"
[ -f "$link" ] || die "no $link: $(ls)"
grep -q "\"keyid\": \"$sub\"" "$link" || die "$link: keyid is not $sub"
grep -q '"other_headers": "04000108' "$link" ||
    die "$link: not a v4 RSA SHA-256 signature"
expect_exit 0 "$INTOTO" sign -f "$link" --verify -g "$rsa" --gpg-home "$H"
if have_reference; then
    expect_exit 0 ref in-toto-sign -f "$link" --verify -g "$rsa" \
        --gpg-home "$H"
fi
# The wrong key, and a changed payload, fail.
expect_exit 1 "$INTOTO" sign -f "$link" --verify -g "$ed" --gpg-home "$H"
expect_stderr "no signature by key"
sed 's/"make"/"mak3"/' "$link" > tampered.link
expect_exit 1 "$INTOTO" sign -f tampered.link --verify -g "$rsa" \
    --gpg-home "$H"
expect_stderr "does not match"
if have_reference; then
    expect_exit 1 ref in-toto-sign -f tampered.link --verify -g "$rsa" \
        --gpg-home "$H"
fi

# No key id: gpg's default key (the first secret key, through its subkey).
expect_exit 0 "$INTOTO" sign -f build.link -g --gpg-home "$H" -o default.link
grep -q "\"keyid\": \"$sub\"" default.link || die "default key not used"
expect_exit 0 "$INTOTO" sign -f build.link --gpg="$ed" --gpg-home="$H" \
    -o ed.link
expect_exit 0 "$INTOTO" sign -f ed.link --verify --gpg "$ed" --gpg-home "$H"

# A layout: RSA, then Ed25519 appended; both verify, here and in the
# reference.  Signing again without -a keeps only the new signature.
expect_exit 0 "$INTOTO" sign -f root.layout -g "$rsa" --gpg-home "$H"
expect_exit 0 "$INTOTO" sign -f root.layout -g "$ed" -a --gpg-home "$H"
[ "$(grep -c '"other_headers"' root.layout)" -eq 2 ] ||
    die "root.layout: expected 2 signatures"
expect_exit 0 "$INTOTO" sign -f root.layout --verify -g "$rsa" "$ed" \
    --gpg-home "$H"
if have_reference; then
    expect_exit 0 ref in-toto-sign -f root.layout --verify -g "$rsa" "$ed" \
        --gpg-home "$H"
fi
cp root.layout two.layout
expect_exit 0 "$INTOTO" sign -f two.layout -g "$ed" --gpg-home "$H"
[ "$(grep -c '"other_headers"' two.layout)" -eq 1 ] ||
    die "two.layout: expected 1 signature without -a"

# Errors: an unknown key, a DSSE envelope, -g with -k.
expect_exit 1 "$INTOTO" sign -f build.link -g 0123456789ABCDEF \
    --gpg-home "$H"
expect_stderr "No secret key"
expect_exit 1 "$INTOTO" sign -f build.link -g "$rsa" --use-dsse \
    --gpg-home "$H"
expect_stderr "DSSE"

# The reference's own gpg signatures verify here.
if have_reference; then
    mkdir refsigned && cp build.link root.layout refsigned/ &&
        cd refsigned || die "cannot make refsigned"
    expect_exit 0 ref in-toto-sign -f build.link -g "$rsa" --gpg-home "$H"
    expect_exit 0 ref in-toto-sign -f root.layout -g "$ed" --gpg-home "$H"
    expect_exit 0 "$INTOTO" sign -f "$link" --verify -g "$rsa" \
        --gpg-home "$H"
    expect_exit 0 "$INTOTO" sign -f root.layout --verify -g "$ed" \
        --gpg-home "$H"
    cd .. || die "cd"
fi

# in-toto verify with the layout key from the keyring.
if "$INTOTO" verify --help 2>&1 | grep -q -- '--gpg-home' &&
   ! "$INTOTO" verify --help 2>&1 | grep -q 'not supported'; then
    expect_exit 0 "$INTOTO" verify -l root.layout -g "$rsa" "$ed" \
        --gpg-home "$H"
    sed 's/2099-01-01/2098-01-01/' root.layout > tampered.layout
    expect_exit 1 "$INTOTO" verify -l tampered.layout -g "$rsa" "$ed" \
        --gpg-home "$H"
else
    echo "in-toto verify has no --gpg yet: its part is not checked"
fi
exit 0
