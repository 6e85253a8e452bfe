# SPDX-License-Identifier: Apache-2.0
# Output that cannot be written fails the command with a message, not
# silently.
. "$TOP/tests/cli/lib.sh"

[ -c /dev/full ] || skip "no /dev/full"
"$INTOTO" keygen -t ed25519 k >/dev/null || die "keygen failed"
"$INTOTO" key id k.pub > /dev/full 2> stderr.txt
rc=$?
[ "$rc" -eq 1 ] || { cat stderr.txt; die "exit $rc, not 1"; }
expect_stderr "in-toto key: error: cannot write to standard output"
[ "$(wc -l < stderr.txt)" -eq 1 ] || { cat stderr.txt; die "not one line"; }
"$INTOTO" --help > /dev/full 2> stderr.txt
rc=$?
[ "$rc" -eq 1 ] || { cat stderr.txt; die "--help: exit $rc, not 1"; }
expect_stderr "error: cannot write to standard output"
exit 0
