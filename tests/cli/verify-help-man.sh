# SPDX-License-Identifier: Apache-2.0
# --help and the man page of verify and match-products list the same
# long options.
. "$TOP/tests/cli/lib.sh"

for cmd in verify match-products; do
    man="$TOP/docs/man/in-toto-$cmd.1"
    [ -f "$man" ] || die "no man page $man"
    "$INTOTO" "$cmd" --help >help.txt 2>&1 || die "$cmd --help failed"
    grep -o -e '--[a-z][a-z-]*' help.txt | sort -u >help.opts
    sed 's/\\-/-/g' "$man" | grep -o -e '--[a-z][a-z-]*' | sort -u >man.opts
    if ! cmp -s help.opts man.opts; then
        diff help.opts man.opts
        die "$cmd: --help and $man list different options"
    fi
    [ -s help.opts ] || die "$cmd: no options found"
done
exit 0
