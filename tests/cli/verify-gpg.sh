# SPDX-License-Identifier: Apache-2.0
# in-toto verify -g: the reference's OpenPGP demo (layout signed with a
# gpg key, a link signed with a signing subkey) verifies with the key
# from the keyring; a link of the main key and one of its subkey count as
# one key; an unknown key id fails.
. "$TOP/tests/cli/lib.sh"
command -v gpg >/dev/null 2>&1 || skip "gpg is missing"
case="$INTEROP/cases/gpg-demo"
[ -d "$case" ] || skip "no interop corpus at $INTEROP"

cp -r "$case" demo || die "cannot copy $case"
fpr=$(sed -n 4p demo/args)
[ ${#fpr} -eq 40 ] || die "no fingerprint in args: '$fpr'"
rm demo/args demo/expect demo/why demo/tags
chmod 700 demo/gpghome
trap 'gpgconf --homedir "$TMPDIR/demo/gpghome" --kill all >/dev/null 2>&1' \
    EXIT
# The inspection records the whole directory: keep our files out of it.
in_demo() {
    want=$1
    shift
    (cd demo && "$@") >stdout.txt 2>stderr.txt
    got=$?
    [ "$got" -eq "$want" ] ||
        { cat stdout.txt stderr.txt; die "$*: exit $got, wanted $want"; }
}

in_demo 0 "$INTOTO" verify -l root.layout -g "$fpr" --gpg-home gpghome \
    --report ../report.json
expect_stdout "the supply chain verified"
# write-code's link is signed by a subkey of the authorized key and is
# found under the subkey's id.
grep -F '"status": "counted"' report.json >/dev/null || die "nothing counted"
sub=$(cd demo && ls write-code.*.link |
    sed 's/write-code\.\(.*\)\.link/\1/')
grep -F "\"file\": \"write-code.$sub.link\"" report.json >/dev/null ||
    die "the subkey's link was not considered"

# The same link under the main key's name counts once.
main=$(grep -o '"keyid": "[0-9a-f]*"' report.json | sed -n 2p |
    sed 's/.*: "\(........\).*/\1/')
cp "demo/write-code.$sub.link" "demo/write-code.$main.link"
rm -rf demo/demo-project demo/untar.link
in_demo 0 "$BIN/in-toto-verify" --layout root.layout --gpg "$fpr" \
    --gpg-home gpghome --report ../report.json
grep -F '"status": "same key"' report.json >/dev/null ||
    { cat report.json; die "a subkey's link counted twice"; }

in_demo 1 "$INTOTO" verify -l root.layout \
    -g 0123456789abcdef0123456789abcdef01234567 --gpg-home gpghome
in_demo 2 "$INTOTO" verify -l root.layout -g
exit 0
