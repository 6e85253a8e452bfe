#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run the shell tests in tests/cli against the binaries in $1.
# Each test gets BIN (the directory) and a scratch directory as $TMPDIR; it
# exits 0 (pass), 77 (skipped: it prints why) or anything else (fail).
bin=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
for t in "$here"/cli/*.sh; do
    name=$(basename "$t" .sh)
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/intoto-cli-$name.XXXXXX")
    out="$scratch.log"
    if (cd "$scratch" && BIN="$bin" TOP="$here/.." TMPDIR="$scratch" \
          sh "$t") >"$out" 2>&1; then
        pass=$((pass + 1))
        echo "ok      $name"
    else
        rc=$?
        if [ "$rc" -eq 77 ]; then
            skip=$((skip + 1))
            echo "SKIPPED $name: $(tail -n 1 "$out")"
        else
            fail=$((fail + 1))
            echo "FAIL    $name (exit $rc)"
            sed 's/^/    | /' "$out" | tail -n 30
        fi
    fi
    rm -rf "$scratch" "$out"
done
echo "cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
