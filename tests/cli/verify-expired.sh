# SPDX-License-Identifier: Apache-2.0
# An expired layout fails; a malformed expiry date is refused.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner || die "keygen failed"
fx_layout root.layout 2020-01-01T00:00:00Z '' '' ''
fx_sign root.layout owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "error: layout 'root.layout' expired on 2020-01-01T00:00:00Z"

for bad in 2099-12-31 2099-12-31T23:59:59 2099-02-30T00:00:00Z \
    '2099-12-31 23:59:59Z' 2099-12-31T23:59:59+00:00; do
    fx_layout root.layout "$bad" '' '' ''
    fx_sign root.layout owner || die "sign failed"
    expect_exit 1 fx_verify
    expect_stderr "'expires' value '$bad'"
done

fx_layout root.layout "$FX_EXPIRES" '' '' ''
fx_sign root.layout owner || die "sign failed"
expect_exit 0 fx_verify
exit 0
