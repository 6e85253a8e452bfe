#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Style checks: line width, tabs, SPDX headers; cppcheck when installed.
cd "$(dirname "$0")/.." || exit 2
status=0
files=$(ls lib/*.c lib/*.h lib/include/intoto/*.h cmd/*.c cmd/*.h \
        tests/unit/*.c 2>/dev/null)
for f in $files; do
    awk -v f="$f" 'length($0) > 80 { printf "%s:%d: line longer than 80\n",
        f, NR; bad = 1 } /\t/ { printf "%s:%d: tab\n", f, NR; bad = 1 }
        END { exit bad }' "$f" || status=1
    head -n 1 "$f" | grep -q SPDX-License-Identifier ||
        { echo "$f: no SPDX line"; status=1; }
done
if command -v cppcheck >/dev/null 2>&1; then
    cppcheck -q --error-exitcode=1 --std=c11 --inline-suppr \
        --suppress=missingIncludeSystem -Ilib/include -Ilib lib cmd ||
        status=1
fi
exit $status
