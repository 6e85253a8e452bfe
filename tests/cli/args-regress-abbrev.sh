# SPDX-License-Identifier: Apache-2.0
# The reference's parser takes any unambiguous prefix of a long option:
# the in-toto demo verifies with `--layout-key` (for --layout-keys).
# sign, verify, keygen and match-products do too (run, record and mock
# have their own parser); an ambiguous prefix is a usage error.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

expect_exit 0 "$BIN/in-toto-keygen" --ty ed25519 owner
expect_exit 0 "$BIN/in-toto-keygen" --type ed25519 --form=sslib alice
grep -q '"keytype": "ed25519"' alice || die "alice is not an sslib key"
A=$(fx_id alice)

mkdir -p src && echo x > src/x
fx_run build alice -m src -p src -x || die "run failed"
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\"" 1 '["ALLOW", "src/*"]' '')" '' \
    "$(fx_keyentry alice)"
expect_exit 0 "$BIN/in-toto-sign" --fi root.layout --key owner
expect_exit 2 "$BIN/in-toto-sign" --f root.layout --ke owner
expect_stderr "ambiguous option '--ke'"
expect_exit 0 "$BIN/in-toto-sign" --fi=root.layout --key owner.pub --verif
expect_exit 0 "$BIN/in-toto-verify" --layout root.layout \
    --layout-key owner.pub --key-type ed25519
expect_exit 0 "$BIN/in-toto-verify" --layout root.layout \
    --layout-key=owner.pub --key-t=ed25519 --link-d .
expect_exit 2 "$BIN/in-toto-verify" --la root.layout -k owner.pub
expect_stderr "ambiguous option '--la'"
expect_exit 0 "$BIN/in-toto-match-products" --li "build.$(fx_id8 alice).link" \
    --pa src
exit 0
