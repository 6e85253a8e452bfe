# SPDX-License-Identifier: Apache-2.0
# Thresholds count distinct keys: a copy of one functionary's link under
# another's name, or one key listed under two key ids, count once.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice bob || die "keygen failed"
A=$(fx_id alice) A8=$(fx_id8 alice) B8=$(fx_id8 bob)
AN=$(fx_id alice new) AN8=$(fx_id8 alice new)
mkdir src && echo x > src/x
fx_run build alice -p src -- true || die "run failed"

# Two links by alice for a threshold of 2 (bob authorized, not signing).
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\", \"$(fx_id bob)\"" 2 '' '')" '' \
    "$(fx_keyentry alice), $(fx_keyentry bob)"
fx_sign root.layout owner || die "sign failed"
cp "build.$A8.link" "build.$B8.link"
expect_exit 1 fx_verify
expect_stderr "step 'build': needs 2 links signed by different authorized keys, found 1"
expect_stderr "'build.$B8.link' has no valid signature by its key"
rm "build.$B8.link"

# Alice's key listed twice, under its legacy and its new key id, and the
# same link filed under both names with a signature for each id.
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\", \"$AN\"" 2 '' '')" '' \
    "$(fx_keyentry alice), $(fx_keyentry alice new)"
fx_sign root.layout owner || die "sign failed"
sed "s/$A/$AN/" "build.$A8.link" > "build.$AN8.link"
expect_exit 1 fx_verify
expect_stderr "'build.$AN8.link' is signed by the same key as 'build.$A8.link' and counts once"

# Threshold 1 with the same setup passes.
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\", \"$AN\"" 1 '' '')" '' \
    "$(fx_keyentry alice), $(fx_keyentry alice new)"
fx_sign root.layout owner || die "sign failed"
expect_exit 0 fx_verify
exit 0
