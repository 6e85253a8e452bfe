#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run each cmocka unit-test binary given; fail if any fails.
failed=0
for t in "$@"; do
    if ! "$t"; then
        echo "FAIL: $t"
        failed=$((failed + 1))
    fi
done
[ "$failed" -eq 0 ] || { echo "$failed unit test binaries failed"; exit 1; }
