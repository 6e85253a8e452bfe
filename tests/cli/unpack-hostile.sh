# SPDX-License-Identifier: Apache-2.0
# in-toto unpack refuses every archive of the hostile corpus
# (tests/security/mk-hostile-archives.sh): exit 1, a message naming the
# entry and the reason, nothing written outside the destination (a canary
# directory next to it stays as it was), bombs stopped early under a
# memory limit.  Also: special mode bits are dropped, limits can be raised
# or lowered by flags, and hostile archives met through `--` still fail.
. "$TOP/tests/cli/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to make the corpus"

work=$TMPDIR/w
canary=$work/canary
corpus=$TMPDIR/corpus
mkdir -p "$canary/sub"
echo victim > "$canary/victim"
echo other > "$canary/sub/other"
snapshot() {
    (cd "$1" && find . -printf '%y %m %s %p %l\n' | sort &&
        find . -type f -exec cat {} +)
}
snapshot "$canary" > canary.before
sh "$TOP/tests/security/mk-hostile-archives.sh" "$corpus" "$canary" ||
    die "cannot make the corpus"

# A sanitizer build cannot run under ulimit -v: then bound CPU time only.
vlimit=2000000
(ulimit -v $vlimit && exec "$INTOTO" --version) >/dev/null 2>&1 ||
    vlimit=unlimited

tab=$(printf '\t')
n=0
while IFS=$tab read -r f frag setup; do
    rm -rf "$work/dest"
    mkdir "$work/dest"
    if [ "$setup" = presymlink ]; then
        ln -s "$canary" "$work/dest/pre"
    fi
    # 2 GB of address space, 60 s of CPU: a bomb that were not stopped
    # early would run out of either (1 GiB of zeros, 10^6 entries).
    (ulimit -v $vlimit && ulimit -t 60 &&
        exec "$INTOTO" unpack "$corpus/$f" -C "$work/dest") \
        >stdout.txt 2>stderr.txt
    rc=$?
    if [ "$rc" -ne 1 ]; then
        cat stderr.txt
        die "$f: expected exit 1, got $rc"
    fi
    grep -F -- "in-toto unpack: error: '$corpus/$f': entry '" stderr.txt \
        >/dev/null || { cat stderr.txt; die "$f: message names no entry"; }
    grep -F -- "$frag" stderr.txt >/dev/null ||
        { cat stderr.txt; die "$f: message lacks '$frag'"; }
    [ "$(wc -l < stderr.txt)" -eq 1 ] || { cat stderr.txt; die "$f: not one line"; }
    snapshot "$canary" > canary.after
    cmp -s canary.before canary.after ||
        { diff canary.before canary.after; die "$f: the canary changed"; }
    [ "$(ls -A "$work" | tr '\n' ' ')" = "canary dest " ] ||
        die "$f: something was written next to the destination: $(ls -A "$work")"
    # A bomb's partial file is removed; what stays is small.
    used=$(du -sk "$work/dest" | cut -f1)
    [ "$used" -lt 8192 ] || die "$f: $used KiB left in the destination"
    n=$((n + 1))
done < "$corpus/MANIFEST"
[ "$n" -ge 45 ] || die "only $n hostile archives were tried"
echo "$n hostile archives refused"

# Special bits are never set, and owners are not the archive's.
python3 - "$TMPDIR/modes.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as tf:
    for name, kind, mode in (("suid", tarfile.REGTYPE, 0o4755),
                             ("sgid", tarfile.REGTYPE, 0o2750),
                             ("sticky", tarfile.DIRTYPE, 0o1777),
                             ("sticky/f", tarfile.REGTYPE, 0o640)):
        t = tarfile.TarInfo(name)
        t.type, t.mode, t.uid, t.gid = kind, mode, 4242, 4343
        t.uname = t.gname = "nobody-here"
        data = b"x\n" if kind == tarfile.REGTYPE else b""
        t.size = len(data)
        tf.addfile(t, io.BytesIO(data))
PY
expect_exit 0 "$INTOTO" unpack "$TMPDIR/modes.tar" -C "$TMPDIR/modes"
[ -z "$(find "$TMPDIR/modes" -perm /7000)" ] || die "special bits were set"
[ "$(stat -c %a "$TMPDIR/modes/suid")" = 755 ] || die "suid: wrong mode"
[ "$(stat -c %a "$TMPDIR/modes/sgid")" = 750 ] || die "sgid: wrong mode"
[ "$(stat -c %a "$TMPDIR/modes/sticky")" = 777 ] || die "sticky: wrong mode"
[ "$(stat -c %u "$TMPDIR/modes/suid")" = "$(id -u)" ] || die "owner was set"

# The limits follow the flags: lower ones stop a small archive, and with
# the ratio check off the size limit still stops the bomb.
expect_exit 1 "$INTOTO" unpack --max-entries 3 "$TMPDIR/modes.tar" \
    -C "$TMPDIR/few"
expect_stderr "entry 'sticky/f': more than 3 entries"
expect_exit 1 "$INTOTO" unpack --max-ratio=0 --max-bytes 16M \
    "$corpus/zeros-1g.tar.xz" -C "$TMPDIR/big"
expect_stderr "more than 16777216 bytes to write"
expect_exit 1 "$INTOTO" unpack --max-ratio 10:1 "$corpus/zeros-1g.zip" \
    -C "$TMPDIR/ratio"
expect_stderr "compression ratio above 10:1"
# A sparse file counts at its full size: 9 GiB of holes pass the default.
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    mkdir sparse
    truncate -s 9G sparse/holes
    tar --sparse --format=pax -cf sparse.tar sparse
    expect_exit 1 "$INTOTO" unpack sparse.tar -C "$TMPDIR/sparse-out"
    expect_stderr "entry 'sparse/holes': more than 8589934592 bytes to write"
    [ ! -e "$TMPDIR/sparse-out/sparse/holes" ] || die "sparse bomb left"
fi
expect_exit 2 "$INTOTO" unpack --max-bytes lots "$TMPDIR/modes.tar"
expect_stderr "bad number 'lots'"
expect_exit 2 "$INTOTO" unpack --no-such-option "$TMPDIR/modes.tar"
expect_stderr "unknown option '--no-such-option'"
expect_exit 2 "$INTOTO" unpack a.tar b.tar
expect_stderr "unexpected argument 'b.tar'"
expect_exit 2 "$INTOTO" unpack -C
expect_stderr "option '-C' needs a value"
expect_exit 0 "$INTOTO" unpack --help
expect_stdout "--max-ratio"
# The man page lists the options --help lists.
grep -o -- '--[a-z][a-z-]*' stdout.txt | sort -u > help-opts.txt
sed 's/\\-/-/g' "$TOP/docs/man/in-toto-unpack.1" | grep -o -- '--[a-z][a-z-]*' |
    sort -u > man-opts.txt
cmp -s help-opts.txt man-opts.txt ||
    die "--help and in-toto-unpack.1 differ: $(diff help-opts.txt man-opts.txt)"

# Not an archive, or missing: exit 1 with the file named.
printf 'just text\n' > notarchive.txt
expect_exit 1 "$INTOTO" unpack notarchive.txt -C "$TMPDIR/x"
expect_stderr "'notarchive.txt'"
expect_exit 1 "$INTOTO" unpack missing.tar -C "$TMPDIR/x"
expect_stderr "cannot open 'missing.tar'"
# A truncated archive fails (the rest is not silently skipped).
head -c 600000 "$corpus/zeros-1g.tar.gz" > cut.tar.gz
expect_exit 1 "$INTOTO" unpack --max-ratio 0 cut.tar.gz -C "$TMPDIR/cut"
expect_stderr "'cut.tar.gz': entry 'zeros'"
exit 0
