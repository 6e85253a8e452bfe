# SPDX-License-Identifier: Apache-2.0
# keygen -p with nothing to read fails with a message, not silently; and
# '--' ends the options, as in the reference's argument parser.
. "$TOP/tests/cli/lib.sh"

expect_exit 1 "$INTOTO" keygen -t ed25519 -p k < /dev/null
expect_stderr "keygen: error: no password"
[ -e k ] && die "a key was written without a password"

expect_exit 0 "$INTOTO" keygen -t ed25519 -- -k
[ -s ./-k ] && [ -s ./-k.pub ] || die "no key pair named '-k'"
exit 0
