#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The reference's corpus in ../shared/interop, verify and record cases.
bin=$(cd "$1" && pwd) || exit 2
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus="$top/../shared/interop"
if [ ! -x "$corpus/run-verify" ]; then
    echo "interop: SKIPPED: no corpus at $corpus"
    exit 0
fi
status=0
# The OpenPGP cases need gpg to read the keyring they ship.
skip=${INTEROP_SKIP_TAGS:-}
if ! command -v gpg >/dev/null 2>&1; then
    echo "interop: SKIPPED gpg cases: gpg is not installed"
    skip="gpg $skip"
fi
echo "interop verify:"
INTEROP_SKIP_TAGS="$skip" "$corpus/run-verify" "$bin/in-toto-verify" ||
    status=1
for kt in rsa:record-rsa ed25519:record-ed25519 ecdsa:record-ecdsa; do
    echo "interop record with ${kt%%:*} key:"
    "$corpus/run-record" "$bin/in-toto-run" "$corpus/keys/${kt#*:}" \
        "${kt%%:*}" || status=1
done
exit $status
