# SPDX-License-Identifier: Apache-2.0
# in-toto key parses its arguments as the other commands: '--' ends the
# options, "--type=ed25519", "-ted25519" and unambiguous prefixes work.
. "$TOP/tests/cli/lib.sh"

"$INTOTO" keygen -t ed25519 -- -k >/dev/null || die "keygen failed"
expect_exit 0 "$INTOTO" key id -- -k.pub
expect_stdout "legacy: "
expect_exit 0 "$INTOTO" key id --type=ed25519 ./-k.pub
expect_exit 0 "$INTOTO" key id -ted25519 ./-k.pub
expect_exit 1 "$INTOTO" key id --type=rsa ./-k.pub
expect_exit 0 "$INTOTO" key layout --new ./-k.pub
expect_exit 2 "$INTOTO" key id --p ./-k.pub
expect_stderr "ambiguous option '--p'"
exit 0
