# SPDX-License-Identifier: Apache-2.0
# The reference's argument parser takes "--option=value", "-oVALUE" and
# "-o=VALUE" for every option with a value; so do sign, verify, keygen
# and match-products (run, record and mock have their own parser).
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

expect_exit 0 "$BIN/in-toto-keygen" --type=ed25519 owner
expect_exit 0 "$BIN/in-toto-keygen" -ted25519 alice
expect_exit 0 "$BIN/in-toto-keygen" -t=ed25519 --format=sslib bob
grep -q '"keytype": "ed25519"' bob || die "bob is not an sslib ed25519 key"
expect_exit 0 "$BIN/in-toto-keygen" --bits=2048 --type=rsa carl
A=$(fx_id alice)

mkdir -p src && echo x > src/x
fx_run build alice -m src -p src -x || die "run failed"
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\"" 1 '["ALLOW", "src/*"]' '')" '' \
    "$(fx_keyentry alice)"
expect_exit 0 "$BIN/in-toto-sign" --file=root.layout --key=owner \
    --key-type=ed25519 --output=signed.layout
expect_exit 0 "$BIN/in-toto-sign" -fsigned.layout -kowner.pub -t=ed25519 \
    --verify
expect_exit 0 "$BIN/in-toto-verify" --layout=signed.layout \
    --layout-keys=owner.pub --key-types=ed25519 --link-dir=.
expect_exit 0 "$BIN/in-toto-verify" -lsigned.layout -kowner.pub -ted25519
expect_exit 0 "$BIN/in-toto-verify" -l=signed.layout -k=owner.pub -t=ed25519
# Unknown options stay unknown.
expect_exit 2 "$BIN/in-toto-verify" --bogus=1 -l signed.layout -k owner.pub
expect_stderr "unknown argument '--bogus=1'"

expect_exit 0 "$BIN/in-toto-match-products" --link=build.$(fx_id8 alice).link \
    --paths=src
expect_exit 0 "$BIN/in-toto-match-products" -lbuild.$(fx_id8 alice).link \
    -psrc
exit 0
