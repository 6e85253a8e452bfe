# SPDX-License-Identifier: Apache-2.0
# in-toto keygen: PEM and securesystemslib files, passwords, usage errors;
# the reference's securesystemslib reads the JSON files we write.
. "$TOP/tests/cli/lib.sh"

expect_exit 0 "$INTOTO" keygen --help
for opt in --type --bits --prompt --password --sslib --format; do
    expect_stdout "$opt"
done
expect_exit 2 "$INTOTO" keygen
expect_exit 2 "$INTOTO" keygen -t dsa k
expect_stderr "rsa, ed25519 or ecdsa"
expect_exit 2 "$INTOTO" keygen -b 1024 k
expect_exit 2 "$INTOTO" keygen --format der k
expect_exit 2 "$INTOTO" keygen --bogus k
expect_exit 2 "$INTOTO" keygen a b
[ -e k ] && die "a usage error wrote a key"

# Default: rsa, PKCS#8 private (mode 600) and SPKI public.
expect_exit 0 "$INTOTO" keygen -b 2048 alice
head -n 1 alice | grep -qx -- '-----BEGIN PRIVATE KEY-----' || die "alice"
head -n 1 alice.pub | grep -qx -- '-----BEGIN PUBLIC KEY-----' || die "pub"
[ "$(stat -c %a alice)" = 600 ] || die "private key mode $(stat -c %a alice)"

# Encrypted PKCS#8; the password is needed to use it.
expect_exit 0 "$INTOTO" keygen -t ed25519 -P s3cret bob
head -n 1 bob | grep -qx -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' ||
    die "bob is not encrypted"
expect_exit 1 "$INTOTO" key id bob < /dev/null
expect_stderr "password is needed"
expect_exit 0 "$INTOTO" key id bob -P s3cret

# -p reads the password (once, from standard input, when not a terminal).
echo typed | "$INTOTO" keygen -t ecdsa -p fay > stdout.txt 2> stderr.txt ||
    die "keygen -p: $(cat stderr.txt)"
expect_exit 0 "$INTOTO" key id fay -P typed
expect_exit 1 "$INTOTO" key id fay -P other
expect_stderr "wrong password"

# The reference's formats: PKCS#1 rsa and .pub without a final newline,
# JSON for ed25519 and ecdsa.
expect_exit 0 "$INTOTO" keygen -t rsa -b 2048 --sslib carl
head -n 1 carl | grep -qx -- '-----BEGIN RSA PRIVATE KEY-----' || die "carl"
[ "$(tail -c 1 carl.pub)" = - ] || die "carl.pub ends in a newline"
expect_exit 0 "$INTOTO" keygen -t ed25519 --sslib dan
expect_exit 0 "$INTOTO" keygen -t ecdsa --format=sslib -P pw erin
head -c 1 dan | grep -q '{' || die "dan is not JSON"
grep -q '@@@@100000@@@@' erin || die "erin is not sslib-encrypted"

# Each key signs a layout that its .pub verifies.
printf '{"signatures": [], "signed": {"_type": "layout", "expires":
 "2099-01-01T00:00:00Z", "inspect": [], "keys": {}, "readme": "",
 "steps": []}}' > unsigned.layout
for k in alice bob carl dan erin; do
    pw=s3cret
    [ $k = erin ] && pw=pw
    expect_exit 0 "$INTOTO" sign -f unsigned.layout -k $k -P $pw \
        -o $k.layout
    expect_exit 0 "$INTOTO" sign --verify -f $k.layout -k $k.pub
done
expect_exit 1 "$INTOTO" sign --verify -f dan.layout -k erin.pub

# The reference's library loads the JSON keys and agrees on the key ids.
py=/usr/bin/python3
if $py -c 'import securesystemslib' 2>/dev/null; then
    for k in dan:ed25519:None erin:ecdsa:pw; do
        IFS=: read -r name type pw <<EOF2
$k
EOF2
        [ "$pw" = None ] || pw="'$pw'"
        got=$(env -i PATH=/usr/bin:/bin HOME="$TMPDIR" $py -c "
from securesystemslib import interface as i
k = i.import_${type}_privatekey_from_file('$name', password=$pw)
print(k['keyid'])") || die "the reference cannot load $name"
        want=$("$INTOTO" key id $name.pub | awk '/^legacy:/ {print $2}')
        [ "$got" = "$want" ] || die "$name: reference id $got, ours $want"
    done
else
    echo "python3-securesystemslib missing: reference load not checked"
fi

# The man page lists the options --help lists.
"$INTOTO" keygen --help | grep -o -- '--[a-z-]*' | sort -u > help-opts.txt
sed 's/\\-/-/g' "$TOP/docs/man/in-toto-keygen.1" | grep -o -- '--[a-z-]*' |
    sort -u > man-opts.txt
cmp -s help-opts.txt man-opts.txt ||
    die "--help and in-toto-keygen.1 differ: $(diff help-opts.txt man-opts.txt)"
echo "keygen formats ok"
