# SPDX-License-Identifier: Apache-2.0
# Helpers sourced by the tests in tests/cli (POSIX sh).
set -u
INTOTO="$BIN/in-toto"
SHARED="$TOP/../shared"
INTEROP="$SHARED/interop"

die() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }

# expect_exit CODE CMD...: run CMD, capture stdout/stderr in out/err files.
expect_exit() {
    want=$1; shift
    "$@" >stdout.txt 2>stderr.txt
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "command: $*"; cat stdout.txt stderr.txt
        die "expected exit $want, got $got"
    fi
}
# expect_stderr TEXT: the last command's stderr contains TEXT.
expect_stderr() {
    grep -F -- "$1" stderr.txt >/dev/null ||
        { cat stderr.txt; die "stderr lacks '$1'"; }
}
expect_stdout() {
    grep -F -- "$1" stdout.txt >/dev/null ||
        { cat stdout.txt; die "stdout lacks '$1'"; }
}
# The reference tools, run so that no rc file or variable changes them.
have_reference() { [ -x /usr/bin/in-toto-verify ]; }
ref() {
    prog=$1; shift
    mkdir -p "$TMPDIR/refhome"
    env -i PATH=/usr/bin:/bin HOME="$TMPDIR/refhome" "/usr/bin/$prog" "$@"
}
