# SPDX-License-Identifier: Apache-2.0
# Sublayouts: one that verifies, one whose link directory leads back to
# itself, and one nested past the depth limit; none may hang.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice bob || die "keygen failed"
A=$(fx_id alice) A8=$(fx_id8 alice) B=$(fx_id bob)
mkdir src && echo x > src/x

# alice delegates "build" to bob with a sublayout.
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' \
    '["ALLOW", "src/*"], ["DISALLOW", "*"]')" '' "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
fx_layout "build.$A8.link" "$FX_EXPIRES" "$(fx_step compile "\"$B\"" 1 '' \
    '["ALLOW", "src/*"], ["DISALLOW", "*"]')" '' "$(fx_keyentry bob)"
fx_sign "build.$A8.link" alice || die "sign failed"
mkdir "build.$A8"
(cd "build.$A8" && cp -r ../src . &&
    fx_run compile ../bob -p src -- true) || die "run failed"
expect_exit 0 fx_verify --report report.json
grep -F '"sublayout"' report.json >/dev/null || die "no sublayout report"

# The inner link is missing: the failure names both levels.
mv "build.$A8" moved
expect_exit 1 fx_verify
expect_stderr "step 'build': sublayout 'build.$A8.link': step 'compile': needs 1 link"
rm -rf moved

# A sublayout for "build" whose link directory is a symlink back to ".",
# where the same sublayout is found again.
fx_layout "build.$A8.link" "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' '')" \
    '' "$(fx_keyentry alice)"
fx_sign "build.$A8.link" alice || die "sign failed"
ln -s . "build.$A8"
expect_exit 1 fx_verify
expect_stderr "leads back to a directory already being verified"
rm "build.$A8"

# The same sublayout nested in real directories, ten levels deep.
d=.
for i in 1 2 3 4 5 6 7 8 9 10; do
    mkdir "$d/build.$A8" && cp "build.$A8.link" "$d/build.$A8/" ||
        die "mkdir failed"
    d="$d/build.$A8"
done
expect_exit 1 fx_verify
expect_stderr "sublayouts nested deeper than 8 levels"
exit 0
