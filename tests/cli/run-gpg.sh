# SPDX-License-Identifier: Apache-2.0
# in-toto run -g and record start/stop -g: links signed by gpg (an Ed25519
# key from a throw-away keyring), named after the key that signed, that
# our sign --verify and the reference's in-toto-sign --verify accept.
. "$TOP/tests/cli/lib.sh"
command -v gpg >/dev/null 2>&1 || skip "gpg is missing"

H="$TMPDIR/g"
mkdir -m 700 "$H" || die "cannot make $H"
trap 'gpgconf --homedir "$H" --kill all >/dev/null 2>&1' EXIT
gpg --batch --homedir "$H" --passphrase '' --pinentry-mode loopback \
    --quick-gen-key 'Run <r@example.org>' ed25519 sign never \
    >/dev/null 2>&1 || die "cannot make a key"
fpr=$(gpg --batch --homedir "$H" --with-colons --list-secret-keys \
      2>/dev/null | awk -F: '$1 == "fpr" {print tolower($10); exit}')
[ ${#fpr} -eq 40 ] || die "no fingerprint: '$fpr'"
id8=$(echo "$fpr" | cut -c1-8)

check_link() {
    [ -f "$1" ] || die "no $1: $(ls -a)"
    grep -q "\"keyid\": \"$fpr\"" "$1" || die "$1: keyid is not $fpr"
    expect_exit 0 "$INTOTO" sign -f "$1" --verify -g "$fpr" --gpg-home "$H"
    if have_reference; then
        expect_exit 0 ref in-toto-sign -f "$1" --verify -g "$fpr" \
            --gpg-home "$H"
    fi
}

echo hello > src.txt
# The key by id, then gpg's default key (-g without an id).
expect_exit 0 "$BIN/in-toto-run" -n build -m src.txt -p src.txt \
    -g "$fpr" --gpg-home "$H" -- true
check_link "build.$id8.link"
rm "build.$id8.link"
expect_exit 0 "$INTOTO" run -n build -p src.txt --gpg-home "$H" -g -- true
check_link "build.$id8.link"

# record start/stop: the preliminary link, then the final one.
expect_exit 0 "$BIN/in-toto-record" start -n edit -m src.txt -g "$fpr" \
    --gpg-home "$H"
[ -f ".edit.$id8.link-unfinished" ] || die "no preliminary link: $(ls -a)"
echo changed > src.txt
expect_exit 0 "$BIN/in-toto-record" stop -n edit -p src.txt -g \
    --gpg-home "$H"
check_link "edit.$id8.link"
[ ! -e ".edit.$id8.link-unfinished" ] || die "preliminary link left behind"
grep -q '"src.txt"' "edit.$id8.link" || die "products not recorded"

# Stop without a start, an unknown key, and gpg with DSSE are errors.
expect_exit 1 "$BIN/in-toto-record" stop -n nothing -p src.txt -g \
    --gpg-home "$H"
expect_stderr "no preliminary link"
expect_exit 1 "$INTOTO" run -n x -p src.txt -g 0123456789ABCDEF \
    --gpg-home "$H" -- true
[ ! -e "x.01234567.link" ] || die "a link was written for an unknown key"
expect_exit 2 "$INTOTO" run -n x -g "$fpr" --use-dsse -- true
expect_stderr "--use-dsse"
exit 0
