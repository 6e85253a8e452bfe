#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# --record-env records the environment minus secret-looking names, unless
# allowed with --env-allow; without it "environment" stays {}.
. "$TOP/tests/cli/lib.sh"
KEY="$INTEROP/keys/record-ed25519"
[ -f "$KEY" ] || skip "interop keys not found"
RUN="$BIN/in-toto-run"

expect_exit 0 env -i PATH="$PATH" BUILD_ID=42 GITHUB_TOKEN=t0k \
    my_Secret=s DB_PASSWORD=p API_KEY=k AWS_CREDENTIALS=c \
    "$RUN" -n env -k "$KEY" -x --record-env --env-allow API_KEY
cat env.*.link | tr -d '\n' | sed 's/  */ /g' > flat
grep -q '"BUILD_ID": "42"' flat || die "BUILD_ID not recorded"
grep -q '"API_KEY": "k"' flat || die "allowed API_KEY not recorded"
for v in GITHUB_TOKEN my_Secret DB_PASSWORD AWS_CREDENTIALS t0k; do
    grep -q "$v" flat && die "$v leaked into the link"
done
rm -f env.*.link
expect_exit 0 env BUILD_ID=42 "$RUN" -n env -k "$KEY" -x
cat env.*.link | tr -d '\n ' | grep -q '"environment":{}' ||
    die "environment recorded without --record-env"
exit 0
