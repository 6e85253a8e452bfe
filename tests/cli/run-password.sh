#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# in-toto-run -P: a password as value, attached, or prompted (-P alone);
# an encrypted key without one fails with a hint.
. "$TOP/tests/cli/lib.sh"
RUN="$BIN/in-toto-run"
"$BIN/in-toto-keygen" -t ed25519 -P s3cret enc >/dev/null 2>&1 ||
    skip "in-toto-keygen cannot write an encrypted key"

expect_exit 1 "$RUN" -n a -k enc -x
expect_stderr "-P"
expect_exit 1 "$RUN" -n a -k enc -P wrong -x
expect_stderr "enc"
expect_exit 0 "$RUN" -n a -k enc -P s3cret -x
expect_exit 0 "$RUN" -n b -k enc -Ps3cret -x
expect_exit 0 "$RUN" -n c -k enc --password=s3cret -x
# -P alone reads the password (from stdin when it is not a terminal);
# the word after a lone -P is an option, so -x still counts.
printf 's3cret\n' > pw
expect_exit 0 sh -c "\"$RUN\" -n d -k enc -P -x < pw"
expect_stderr "password"
ls a.*.link b.*.link c.*.link d.*.link >/dev/null || die "links missing"
exit 0
