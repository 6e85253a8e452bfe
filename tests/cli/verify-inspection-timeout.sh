# SPDX-License-Identifier: Apache-2.0
# Inspections: a failing command fails verification; one that never ends
# is stopped by --inspection-timeout, together with the children it
# started; a passing one writes <name>.link.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner || die "keygen failed"

fx_layout root.layout "$FX_EXPIRES" '' \
    "$(fx_inspection check '"sh", "-c", "echo ok > checked"' '' \
       '["CREATE", "checked"], ["ALLOW", "*"]')" ''
fx_sign root.layout owner || die "sign failed"
expect_exit 0 fx_verify
[ -f check.link ] || die "no check.link written"
grep -F '"signatures": []' check.link >/dev/null || die "link not unsigned"
grep -F '"checked"' check.link >/dev/null || die "product not recorded"

fx_layout root.layout "$FX_EXPIRES" '' \
    "$(fx_inspection fails '"sh", "-c", "exit 3"' '' '')" ''
fx_sign root.layout owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "inspection 'fails': command ['sh', '-c', 'exit 3'] exited with status 3"

fx_layout root.layout "$FX_EXPIRES" '' \
    "$(fx_inspection missing '"no-such-program-here"' '' '')" ''
fx_sign root.layout owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "no-such-program-here"

# Never exits, and leaves a child that would touch a file later.
fx_layout root.layout "$FX_EXPIRES" '' \
    "$(fx_inspection hang \
       '"sh", "-c", "(sleep 3; touch late) & while :; do sleep 1; done"' \
       '' '')" ''
fx_sign root.layout owner || die "sign failed"
start=$(date +%s)
expect_exit 1 fx_verify --inspection-timeout 1
end=$(date +%s)
expect_stderr "inspection 'hang': command"
expect_stderr "did not finish within 1 s; its process group was killed"
[ $((end - start)) -le 5 ] || die "the timeout did not stop the inspection"
sleep 4
[ -e late ] && die "a child of the inspection outlived the timeout"
exit 0
