#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# in-toto-record start/stop: preliminary link, signature check on stop,
# products, and both directions with the reference.
. "$TOP/tests/cli/lib.sh"
KEY="$INTEROP/keys/record-rsa"
OTHER="$INTEROP/keys/record-ed25519"
[ -f "$KEY" ] || skip "interop keys not found"
REC="$BIN/in-toto-record"

printf 'a\n' > a.txt
expect_exit 0 "$REC" start -n edit -k "$KEY" -m a.txt
set -- .edit.*.link-unfinished
[ -f "$1" ] || die "no preliminary link"
unfinished=$1
keyid8=$(echo "$unfinished" | cut -d. -f3)
printf 'b\n' > b.txt

# Stopping needs the key that started: another key is refused.
expect_exit 1 "$REC" stop -n edit -k "$OTHER" -t ed25519 -p .
expect_stderr "no preliminary link"
expect_exit 0 "$REC" stop -n edit -k "$KEY" -p a.txt b.txt
[ -f "edit.$keyid8.link" ] || die "edit.$keyid8.link not written"
[ -f "$unfinished" ] && die "preliminary link not removed"
grep -q '"b.txt"' "edit.$keyid8.link" || die "products not recorded"
grep -q '"a.txt"' "edit.$keyid8.link" || die "materials lost"

# Stop without start: exit 1, named file.
expect_exit 1 "$REC" stop -n never -k "$KEY" -p .
expect_stderr ".never.$keyid8.link-unfinished"

# A tampered preliminary link fails its signature check on stop.
expect_exit 0 "$REC" start -n tamper -k "$KEY" -m a.txt
sed 's/"a.txt"/"z.txt"/' ".tamper.$keyid8.link-unfinished" > t.tmp &&
    mv t.tmp ".tamper.$keyid8.link-unfinished"
expect_exit 1 "$REC" stop -n tamper -k "$KEY" -p .
expect_stderr "not signed by key"

# DSSE: kept from start, or asked for on stop.
expect_exit 0 "$REC" start -n d1 -k "$KEY" --use-dsse -m a.txt
expect_exit 0 "$REC" stop -n d1 -k "$KEY" -p a.txt
grep -q '"payloadType"' "d1.$keyid8.link" || die "DSSE not kept on stop"
expect_exit 0 "$REC" start -n d2 -k "$KEY" -m a.txt
expect_exit 0 "$REC" stop -n d2 -k "$KEY" --use-dsse -p a.txt
grep -q '"payloadType"' "d2.$keyid8.link" || die "stop --use-dsse ignored"

# Usage errors.
expect_exit 2 "$REC"
expect_exit 2 "$REC" pause -n x -k "$KEY"
expect_exit 2 "$REC" start -n x -k "$KEY" -p a.txt
expect_exit 2 "$REC" stop -n x -k "$KEY" -m a.txt

# With the reference: their start, our stop, and our start, their stop.
have_reference || { echo "reference not installed: interop part skipped"; exit 0; }
ref in-toto-record start -n mixed1 -k "$KEY" -m a.txt ||
    die "reference start failed"
expect_exit 0 "$REC" stop -n mixed1 -k "$KEY" -p b.txt
[ -f "mixed1.$keyid8.link" ] || die "mixed1 link missing"
expect_exit 0 "$REC" start -n mixed2 -k "$KEY" -m a.txt
expect_exit 0 ref in-toto-record stop -n mixed2 -k "$KEY" -p b.txt
[ -f "mixed2.$keyid8.link" ] || die "mixed2 link missing"
grep -q '"a.txt"' "mixed2.$keyid8.link" || die "reference lost materials"
exit 0
