# SPDX-License-Identifier: Apache-2.0
# Names from links (written by functionaries) end up in messages: a name
# with a newline or a terminal escape must not forge a second line or
# drive the terminal; each message stays on one line.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice || die "keygen failed"
A=$(fx_id alice)
evil=$(printf 'x\n\033[2Kthe supply chain verified\033[8m')
mkdir -p src && printf 'a\n' > "src/$evil" || die "cannot make the file"
fx_run build alice -m src -x || die "run failed"
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\"" 1 '["DISALLOW", "src/x*"]' '')" '' \
    "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "rule DISALLOW 'src/x*' failed"
[ "$(wc -l < stderr.txt)" -eq 1 ] || { cat stderr.txt; die "not one line"; }
esc=$(printf '\033')
grep -q "$esc" stderr.txt && die "an escape byte reached the terminal"
expect_stderr 'x\n\x1b[2Kthe supply chain verified\x1b[8m'

# The same holds for a warning: here the command alignment warning.
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step build "\"$A\"" 1 '' '' |
       sed 's/"expected_command": \[\]/"expected_command": ["make"]/')" \
    '' "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
fx_run build alice -- printf '%s' "$evil" || die "run failed"
expect_exit 0 fx_verify
grep -q "$esc" stderr.txt && die "an escape byte reached the terminal"
[ "$(wc -l < stderr.txt)" -le 1 ] || { cat stderr.txt; die "not one line"; }
exit 0
