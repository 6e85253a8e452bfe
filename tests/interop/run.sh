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
# OpenPGP is not implemented yet: see docs/KNOWN_ISSUES.md.
echo "interop verify (gpg cases skipped, see docs/KNOWN_ISSUES.md):"
INTEROP_SKIP_TAGS="gpg ${INTEROP_SKIP_TAGS:-}" \
    "$corpus/run-verify" "$bin/in-toto-verify" || status=1
for kt in rsa:record-rsa ed25519:record-ed25519 ecdsa:record-ecdsa; do
    echo "interop record with ${kt%%:*} key:"
    "$corpus/run-record" "$bin/in-toto-run" "$corpus/keys/${kt#*:}" \
        "${kt%%:*}" || status=1
done
exit $status
