# SPDX-License-Identifier: Apache-2.0
# in-toto match-products: 0 when the local files match a link's products,
# 1 with the differences listed, 2 on usage errors.
. "$TOP/tests/cli/lib.sh"

"$INTOTO" keygen -t ed25519 key >/dev/null || die "keygen failed"
mkdir out && echo a > out/a && echo b > out/b
"$INTOTO" run -q -n build -k key -p out -- true || die "run failed"
link=$(ls build.*.link)

expect_exit 0 "$BIN/in-toto-match-products" -l "$link" -p out
[ -s stdout.txt ] && die "a match printed: $(cat stdout.txt)"
# The default path is "." with the default excludes (*.link*): the key
# files are not products.
expect_exit 1 "$INTOTO" match-products --link "$link"
expect_stdout "Not in products: key.pub"
expect_exit 0 "$INTOTO" match-products -l "$link" -p out/a out/b
# -e replaces the default excludes (here the test's own output files).
expect_exit 0 "$INTOTO" match-products -l "$link" -p . -e 'key*' '*.link' \
    '*.txt'
expect_exit 1 "$INTOTO" match-products -l "$link" -p . -e 'key*' '*.txt'
expect_stdout "Not in products: $link"

echo changed > out/a
rm out/b
echo c > out/c
expect_exit 1 "$INTOTO" match-products -l "$link" -p out
expect_stdout "Only in products: out/b"
expect_stdout "Not in products: out/c"
expect_stdout "Hashes differ: out/a"
expect_exit 1 "$INTOTO" match-products -q -l "$link" -p out
[ -s stdout.txt ] && die "-q printed: $(cat stdout.txt)"

# --lstrip-paths names the local files as the link does.
mkdir -p deep && mv out deep/ && echo b > deep/out/b && echo a > deep/out/a
rm deep/out/c
expect_exit 0 "$INTOTO" match-products -l "$link" -p deep/out \
    --lstrip-paths deep/

expect_exit 2 "$INTOTO" match-products -p out
expect_stderr "-l/--link is required"
expect_exit 2 "$INTOTO" match-products -l "$link" --bogus
expect_exit 1 "$INTOTO" match-products -l missing.link
expect_stderr "missing.link"
exit 0
