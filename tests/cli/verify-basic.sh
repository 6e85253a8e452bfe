# SPDX-License-Identifier: Apache-2.0
# in-toto verify on a small chain of our own: passes, fails on a tampered
# artifact naming step, rule and artifact, writes a report, -q is silent,
# usage errors exit 2.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice || die "keygen failed"
A=$(fx_id alice)
mkdir src && echo 'int main;' > src/a.c
fx_run fetch alice -p src -- true || die "run fetch failed"
fx_run build alice -m src -p src out -- sh -c 'mkdir out && cp src/a.c out/a' ||
    die "run build failed"
STEPS="$(fx_step fetch "\"$A\"" 1 '' '["CREATE", "src/*"], ["DISALLOW", "*"]'),
$(fx_step build "\"$A\"" 1 \
    '["MATCH", "*", "WITH", "PRODUCTS", "FROM", "fetch"], ["DISALLOW", "*"]' \
    '["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "fetch"],
     ["CREATE", "out/a"], ["DISALLOW", "*"]')"
fx_layout root.layout "$FX_EXPIRES" "$STEPS" '' "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"

expect_exit 0 fx_verify
expect_stdout "the supply chain verified"
expect_stderr "warning: step 'fetch'"

expect_exit 0 fx_verify -q
[ -s stdout.txt ] && die "-q printed: $(cat stdout.txt)"
[ -s stderr.txt ] && die "-q printed: $(cat stderr.txt)"

expect_exit 0 fx_verify -v --report report.json
expect_stderr "'build' materials: MATCH '*' WITH PRODUCTS FROM 'fetch': consumed 1"
grep -F '"verdict": "pass"' report.json >/dev/null || die "no pass verdict"
grep -F '"keys_counted": 1' report.json >/dev/null || die "no key count"

# The same chain through the reference's program name and flags.
expect_exit 0 "$BIN/in-toto-verify" --layout root.layout \
    --layout-keys owner.pub --key-types ed25519 --link-dir .

# A product that changed after the step recorded it.
echo 'int evil;' > src/a.c
fx_run build alice -m src -p src out -- sh -c 'rm -rf out; mkdir out; cp src/a.c out/a' ||
    die "run build failed"
expect_exit 1 fx_verify --report report.json
expect_stderr "error: step 'build': materials: rule DISALLOW '*' failed: 'src/a.c' is not allowed (MATCH '*' WITH PRODUCTS FROM 'fetch' did not consume it: sha256 differs"
grep -F '"verdict": "fail"' report.json >/dev/null || die "no fail verdict"

# Usage errors.
expect_exit 2 "$INTOTO" verify -k owner.pub
expect_stderr "-l/--layout is required"
expect_exit 2 "$INTOTO" verify -l root.layout
expect_exit 2 "$INTOTO" verify -l root.layout -k owner.pub -t ed25519 rsa
expect_exit 2 "$INTOTO" verify -l root.layout --bogus
expect_exit 2 "$INTOTO" verify -l root.layout -g
expect_stderr "needs at least one key id"
expect_exit 2 "$INTOTO" verify -l root.layout -k owner.pub \
    --inspection-timeout nan
expect_exit 0 "$INTOTO" verify --help
expect_stdout "--layout-keys"
# A wrong key type or a missing key file is a failure, not a crash.
expect_exit 1 "$INTOTO" verify -l root.layout -k nonexistent.pub
exit 0
