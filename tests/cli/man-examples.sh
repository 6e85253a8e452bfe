# SPDX-License-Identifier: Apache-2.0
# The EXAMPLES of docs/man/in-toto.1 run as documented: the example blocks
# (between .nf/.fi or .EX/.EE in the EXAMPLES section), with their roff
# escapes turned back into text, make one shell script, run with set -eu
# in a scratch directory holding a copy of layouts/release-targz.layout.json
# and this build's in-toto first on PATH.  Then the results are checked:
# the supply chain verified, the tampered one failed with exit status 1.
. "$TOP/tests/cli/lib.sh"
page=$TOP/docs/man/in-toto.1
[ -f "$page" ] || die "no docs/man/in-toto.1"
command -v tar >/dev/null 2>&1 || skip "tar is needed by the package step"
date -u -d '+1 year' >/dev/null 2>&1 || skip "date -d (GNU date) is needed"

# The example blocks, one line each; lines starting with "." are requests.
awk '/^\.SH/ { on = ($0 ~ /^\.SH +"?EXAMPLES"? *$/); next }
    !on { next }
    /^\.(nf|EX)/ { block = 1; next }
    /^\.(fi|EE)/ { block = 0; next }
    block && !/^\./ { print }' "$page" >examples.roff
[ -s examples.roff ] || die "in-toto.1 has no example blocks"

# Escapes the examples may use: \- \e \(aq \(dq \(ti \(ha \& \%.
sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\(ti/~/g' \
    -e 's/\\(ha/^/g' -e 's/\\&//g' -e 's/\\%//g' examples.roff >examples.tmp
if grep -n '\\[^e]' examples.tmp; then
    die "in-toto.1 examples use roff escapes this test does not know"
fi
sed 's/\\e/\\/g' examples.tmp >examples.sh

mkdir run
cp "$TOP/layouts/release-targz.layout.json" run/ ||
    die "no layouts/release-targz.layout.json"
(cd run && PATH=$BIN:$PATH sh -eu ../examples.sh) >out.txt 2>err.txt
rc=$?
if [ "$rc" -ne 0 ]; then
    cat -n examples.sh
    cat out.txt err.txt
    die "the examples of in-toto.1 exit $rc"
fi

# What the examples promise.
grep -F "the supply chain verified" out.txt >/dev/null ||
    { cat out.txt err.txt; die "the example supply chain did not verify"; }
grep -x "exit status 1" out.txt >/dev/null ||
    { cat out.txt err.txt; die "the tampered supply chain did not exit 1"; }
grep -F "in-toto verify: error:" err.txt | grep -F "demo-project.tar.gz" \
    >/dev/null || { cat err.txt; die "the failure does not name the archive"; }
[ -f run/client/demo-project/hello.py ] ||
    die "the client's inspection extracted nothing"
ls run/client/source.*.link run/client/package.*.link >/dev/null ||
    die "the example links are missing"
grep -F "legacy:" out.txt >/dev/null || die "in-toto key id printed no key id"
exit 0
