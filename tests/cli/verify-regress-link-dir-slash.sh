# SPDX-License-Identifier: Apache-2.0
# --link-dir given with a trailing slash (as shell completion writes it):
# link paths in messages have no doubled slash.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice || die "keygen failed"
A=$(fx_id alice)
mkdir links
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' '')" '' \
    "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
expect_exit 1 fx_verify --link-dir links/
expect_stderr "'links/build.$(fx_id8 alice).link' not found"
grep -q 'links//' stderr.txt && { cat stderr.txt; die "doubled slash"; }
(cd links && fx_run build ../alice -x) || die "run failed"
expect_exit 0 fx_verify --link-dir links/
exit 0
