#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# in-toto-mock: unsigned <name>.link, '.' as materials and products,
# streams recorded; the reference can sign it afterwards.
. "$TOP/tests/cli/lib.sh"
MOCK="$BIN/in-toto-mock"

printf 'x\n' > in.txt
expect_exit 0 "$MOCK" -n try -- sh -c 'echo hello; cp in.txt out.txt'
expect_stdout "hello"
[ -f try.link ] || die "try.link not written"
tr -d ' \n' < try.link > flat
grep -q '"signatures":\[\]' flat || die "mock link is signed"
grep -q '"stdout":"hello\\n"' flat || die "stdout not recorded"
grep -q '"materials":{"in.txt":' flat || die "materials"
grep -q '"out.txt":' flat || die "products"
grep -q '"try.link"' flat && die "the link itself was recorded"

# --name is the long spelling; a command is required.
expect_exit 0 "$MOCK" --name two -- true
[ -f two.link ] || die "two.link not written"
expect_exit 2 "$MOCK" -n three
expect_stderr "no command"
expect_exit 2 "$MOCK" -- true

# A failing command: link written, its status returned.
expect_exit 4 "$MOCK" -n fail -- sh -c 'exit 4'
[ -f fail.link ] || die "fail.link not written"

if have_reference && [ -f "$INTEROP/keys/record-rsa" ]; then
    expect_exit 0 ref in-toto-sign -f try.link -k "$INTEROP/keys/record-rsa"
    ls try.*.link >/dev/null 2>&1 || die "reference could not sign it"
fi
exit 0
