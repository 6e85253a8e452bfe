# SPDX-License-Identifier: Apache-2.0
# Names listed by match-products come from a link nobody checked the
# signature of: one with a newline or a terminal escape stays on its own
# line, escaped.
. "$TOP/tests/cli/lib.sh"

"$INTOTO" keygen -t ed25519 key >/dev/null || die "keygen failed"
evil=$(printf 'x\nNot in products: fake\033[2K')
mkdir out && echo a > "out/$evil" || die "cannot make the file"
"$INTOTO" run -q -n build -k key -p out -- true || die "run failed"
rm "out/$evil"
expect_exit 1 "$INTOTO" match-products -l build.*.link -p out
[ "$(wc -l < stdout.txt)" -eq 1 ] || { cat stdout.txt; die "not one line"; }
expect_stdout 'Only in products: out/x\nNot in products: fake\x1b[2K'
exit 0
