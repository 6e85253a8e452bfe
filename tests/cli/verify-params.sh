# SPDX-License-Identifier: Apache-2.0
# --param substitutes {NAME} in rules, commands and inspections as
# Python's str.format does; without --param braces stay literal.
# --strict-command turns a differing command into a failure.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice || die "keygen failed"
A=$(fx_id alice)
mkdir src && echo x > src/app.c
fx_run build alice -p src -- true || die "run failed"
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' \
    '["ALLOW", "{dir}/*.{ext}"], ["DISALLOW", "*"]')" \
    "$(fx_inspection look '"test", "-f", "{dir}/app.{ext}"' '' '')" \
    "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"

expect_exit 1 fx_verify
expect_stderr "rule DISALLOW '*' failed: 'src/app.c' is not allowed"
expect_exit 0 fx_verify --param dir=src --param ext=c
expect_exit 1 fx_verify --param dir=src --param ext=h
expect_exit 1 fx_verify --param dir=src
expect_stderr "no parameter named 'ext'"
expect_exit 1 fx_verify --param 'd.r=src' --param ext=c --param dir=src
expect_stderr "parameter name 'd.r' must match"
expect_exit 2 fx_verify --param novalue
expect_stderr "--param needs NAME=VALUE"

# {{ and }} are braces.
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' \
    '["ALLOW", "{{x}}"], ["DISALLOW", "{{*"]')" '' "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
expect_exit 0 fx_verify --param x=y

# Command alignment: a warning, or with --strict-command a failure.
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' '' |
    sed 's/"expected_command": \[\]/"expected_command": ["make"]/')" '' \
    "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
expect_exit 0 fx_verify
expect_stderr "warning: step 'build'"
expect_stderr "ran ['true'], the layout expects ['make']"
expect_exit 1 fx_verify --strict-command
expect_stderr "error: step 'build'"
exit 0
