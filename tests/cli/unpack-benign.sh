# SPDX-License-Identifier: Apache-2.0
# For benign archives of every supported format, in-toto unpack gives the
# same tree as `bsdtar -xpf`: names, types, sizes, link counts, symlink
# targets, contents, times, and modes less the setuid/setgid/sticky bits
# (which unpack never sets).  Also a .deb (ar) and its data.tar.xz.
. "$TOP/tests/cli/lib.sh"
command -v bsdtar >/dev/null 2>&1 || skip "bsdtar (libarchive-tools) not installed"

src=$TMPDIR/src
mkdir -p "$src/bin" "$src/data" "$src/deep/a/b/c/d" "$src/empty" \
    "$src/private" "$src/shared"
printf 'A benign tree\n' > "$src/README"
printf '#!/bin/sh\necho hi\n' > "$src/bin/run.sh"
chmod 755 "$src/bin/run.sh"
: > "$src/data/empty-file"
printf 'read only\n' > "$src/data/ro"
chmod 444 "$src/data/ro"
head -c 1048576 /dev/urandom > "$src/data/random"
seq 1 20000 > "$src/deep/a/b/c/d/numbers"
printf 'secret\n' > "$src/private/key"
chmod 600 "$src/private/key"
chmod 700 "$src/private"
printf 'set-user-id\n' > "$src/bin/suid"
chmod 4755 "$src/bin/suid"
chmod 1777 "$src/shared"
printf 'unicode\n' > "$src/sp ace é"
ln -s README "$src/link"
ln -s data "$src/dirlink"
ln -s ../../README "$src/deep/a/up"
ln -s nowhere "$src/dangling"
ln "$src/README" "$src/hard"
touch -d '2001-02-03 04:05:06' "$src/README" "$src/data" "$src/deep/a/b"

# Flat files only, for ar.
flat=$TMPDIR/flat
mkdir -p "$flat"
cp "$src/README" "$src/data/random" "$src/data/ro" "$flat/"
: > "$flat/empty"

arch=$TMPDIR/arch
mkdir -p "$arch"
bsdtar -cf "$arch/t.tar" -C "$src" .
bsdtar -czf "$arch/t.tar.gz" -C "$src" .
bsdtar -cjf "$arch/t.tar.bz2" -C "$src" .
bsdtar -cJf "$arch/t.tar.xz" -C "$src" .
bsdtar --zstd -cf "$arch/t.tar.zst" -C "$src" .
bsdtar --format gnutar -cf "$arch/gnu.tar" -C "$src" .
bsdtar --format ustar -cf "$arch/ustar.tar" -C "$src" .
bsdtar --format zip -cf "$arch/t.zip" -C "$src" .
bsdtar --format newc -cf "$arch/newc.cpio" -C "$src" .
bsdtar --format odc -cf "$arch/odc.cpio" -C "$src" .
bsdtar --format newc -czf "$arch/newc.cpio.gz" -C "$src" .
bsdtar --format arbsd -cf "$arch/bsd.a" -C "$flat" README random ro empty
bsdtar --format argnu -cf "$arch/gnu.a" -C "$flat" README random ro empty
if command -v ar >/dev/null 2>&1; then
    (cd "$flat" && ar rcS "$arch/binutils.a" README random ro empty)
fi
# Sparse files, as GNU tar writes them in its formats.
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    sp=$TMPDIR/sparse
    mkdir -p "$sp"
    truncate -s 10M "$sp/holes"
    printf 'middle' | dd of="$sp/holes" bs=1 seek=5000000 conv=notrunc \
        2>/dev/null
    printf 'end' >> "$sp/holes"
    for f in pax gnu oldgnu; do
        tar --sparse --format=$f -cf "$arch/sparse-$f.tar" -C "$sp" .
    done
fi
if command -v dpkg-deb >/dev/null 2>&1; then
    pkg=$TMPDIR/pkg
    mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/doc/demo" "$pkg/usr/bin"
    printf 'Package: demo\nVersion: 1.0\nArchitecture: all\n%s\n%s\n' \
        'Maintainer: Nobody <nobody@example.org>' \
        'Description: demo package' > "$pkg/DEBIAN/control"
    cp "$src/README" "$pkg/usr/share/doc/demo/"
    cp "$src/bin/run.sh" "$pkg/usr/bin/demo"
    ln -s ../share/doc/demo/README "$pkg/usr/bin/readme"
    dpkg-deb -Zxz --root-owner-group -b "$pkg" "$arch/demo.deb" \
        >/dev/null || die "dpkg-deb failed"
fi

# A listing that two extractions must share: "." is left out (unpack
# leaves the destination's own mode alone), the special bits are masked.
listing() {
    (cd "$1" && find . -mindepth 1 \( -type d -printf 'd %m %p %TY%Tm%Td%TH%TM\n' \) \
        -o \( -type f -printf 'f %m %s %n %p %T@\n' \) \
        -o \( -type l -printf 'l %p -> %l\n' \) -o -printf '? %p\n' |
        awk '$1 != "l" { $2 = substr($2, length($2) - 2) } { print }' |
        LC_ALL=C sort
     cd "$1" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
}

n=0
for a in "$arch"/*; do
    b=$(basename "$a")
    refdir=$TMPDIR/ref/$b outdir=$TMPDIR/got/$b
    mkdir -p "$refdir"
    bsdtar -xpf "$a" -C "$refdir" || die "$b: bsdtar failed"
    expect_exit 0 "$INTOTO" unpack "$a" -C "$outdir"
    listing "$refdir" > ref.txt
    listing "$outdir" > got.txt
    cmp -s ref.txt got.txt || { diff ref.txt got.txt; die "$b: trees differ"; }
    [ -s ref.txt ] || die "$b: empty listing"
    [ -z "$(find "$outdir" -perm /7000)" ] || die "$b: special bits set"
    n=$((n + 1))
done
[ "$n" -ge 13 ] || die "only $n archives compared"

# The .deb's payload is an archive again: the second inspection's job.
if [ -f "$arch/demo.deb" ]; then
    d=$TMPDIR/got/demo.deb
    expect_exit 0 "$INTOTO" unpack "$d/data.tar.xz" -C "$d/data"
    mkdir -p "$TMPDIR/ref/data"
    bsdtar -xpf "$d/data.tar.xz" -C "$TMPDIR/ref/data"
    listing "$TMPDIR/ref/data" > ref.txt
    listing "$d/data" > got.txt
    cmp -s ref.txt got.txt || { diff ref.txt got.txt; die "data.tar.xz differs"; }
    grep -F './usr/bin/readme -> ../share/doc/demo/README' got.txt \
        >/dev/null || die "data.tar.xz: symlink missing"
fi

# Unpacking into the current directory by default; -C=DIR spellings.
mkdir cwd && (cd cwd && "$INTOTO" unpack "$arch/t.zip") || die "no -C failed"
[ -f cwd/README ] || die "default destination is not the current directory"
expect_exit 0 "$INTOTO" unpack "$arch/t.tar" --directory="$TMPDIR/eq"
[ -f "$TMPDIR/eq/deep/a/b/c/d/numbers" ] || die "--directory= ignored"
expect_exit 0 "$INTOTO" unpack -C"$TMPDIR/glued" -- "$arch/t.tar"
[ -f "$TMPDIR/glued/README" ] || die "-CDIR ignored"
echo "$n archives extract as bsdtar does"
exit 0
