# SPDX-License-Identifier: Apache-2.0
# A step name becomes part of a file name: run, record and mock refuse the
# names a layout refuses (empty, '.', '..', containing '/' or '\'), so
# that no link is written outside the metadata directory and none is
# written that no layout could ever use.
. "$TOP/tests/cli/lib.sh"

"$INTOTO" keygen -t ed25519 k >/dev/null || die "keygen failed"
mkdir -p meta
for name in '../escape' '..' '.' '' 'a\b'; do
    expect_exit 2 "$INTOTO" run -n "$name" -k k -d meta -x
    expect_stderr "step name"
    expect_exit 2 "$INTOTO" record start -n "$name" -k k
    expect_stderr "step name"
    expect_exit 2 "$INTOTO" mock -n "$name" -- true
    expect_stderr "step name"
done
[ -n "$(ls -A meta)" ] && die "links were written: $(ls -A meta)"
ls ./*.link .*.link* 2>/dev/null && die "links were written outside meta"
exit 0
