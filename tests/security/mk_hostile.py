#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a corpus of hostile archives for `in-toto unpack`.

usage: mk_hostile.py OUTDIR CANARY

CANARY is an absolute directory that must stay untouched; the relative
attacks aim at "../canary", so the test extracts into a directory that is
a sibling of it.  OUTDIR/MANIFEST gets one line per archive:
    file<TAB>expected message fragment<TAB>setup
where setup is "-" or "presymlink" (the test first makes DEST/pre a
symlink to the canary).  Large archives are written as streams: the
compressed zeros are made once per chunk and repeated.
"""
import bz2
import gzip
import io
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import warnings
import zipfile
import zlib

OUT, CANARY = sys.argv[1], sys.argv[2]
MANIFEST = []
GIB = 1 << 30
CHUNK = 16 << 20


def note(name, fragment, setup="-"):
    MANIFEST.append("%s\t%s\t%s" % (name, fragment, setup))


# ---- tar -------------------------------------------------------------

def ti(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.mode = mode
    t.mtime = 1700000000
    t.linkname = link
    t.size = len(data) if kind == tarfile.REGTYPE else 0
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        t.devmajor, t.devminor = 1, 3
    return t, data


def tar(name, members, fragment, setup="-", mode="w"):
    with tarfile.open(os.path.join(OUT, name), mode,
                      format=tarfile.PAX_FORMAT) as tf:
        for t, data in members:
            tf.addfile(t, io.BytesIO(data) if data else None)
    note(name, fragment, setup)


EVIL = b"evil\n"
D = tarfile.DIRTYPE
L = tarfile.SYMTYPE
H = tarfile.LNKTYPE

tar("tar-dotdot.tar", [ti("../canary/evil", data=EVIL)],
    "'..' component")
tar("tar-dotdot-mid.tar", [ti("a/", D, mode=0o755),
                           ti("a/../../canary/evil", data=EVIL)],
    "'..' component")
tar("tar-dotdot.tar.gz", [ti("ok", data=b"fine\n"),
                          ti("../canary/evil", data=EVIL)],
    "'..' component", mode="w:gz")
tar("tar-abs.tar", [ti(CANARY + "/abs", data=EVIL)], "absolute path")
tar("tar-symlink-abs.tar", [ti("lnk", L, link=CANARY),
                            ti("lnk/evil", data=EVIL)],
    "symlink to an absolute path")
tar("tar-symlink-rel.tar", [ti("lnk", L, link="../canary"),
                            ti("lnk/evil", data=EVIL)],
    "symlink resolves outside")
tar("tar-symlink-deep.tar", [ti("a/b/", D, mode=0o755),
                             ti("a/b/lnk", L, link="../../../canary"),
                             ti("a/b/lnk/evil", data=EVIL)],
    "symlink resolves outside")
tar("tar-symlink-through.tar", [ti("sub/", D, mode=0o755),
                                ti("lnk", L, link="sub"),
                                ti("lnk/evil", data=EVIL)],
    "path goes through the symlink 'lnk'")
tar("tar-symlink-replace-dir.tar", [ti("d/", D, mode=0o755),
                                    ti("d", L, link="../canary")],
    "symlink resolves outside")
tar("tar-symlink-over-dir.tar", [ti("d/", D, mode=0o755),
                                 ti("d", L, link="e")],
    "would overwrite an existing directory")
tar("tar-symlink-chain.tar", [ti("sub/", D, mode=0o755),
                              ti("sub/up", L, link=".."),
                              ti("sub/esc", L, link="up/..")],
    "resolves outside the destination through other symlinks")
tar("tar-existing-symlink.tar", [ti("pre/evil", data=EVIL)],
    "path goes through the symlink 'pre'", setup="presymlink")
tar("tar-hardlink-dotdot.tar", [ti("hl", H, link="../canary/victim")],
    "hard link target: path contains a '..' component")
tar("tar-hardlink-abs.tar", [ti("hl", H, link=CANARY + "/victim")],
    "hard link target: absolute path")
tar("tar-hardlink-missing.tar", [ti("hl", H, link="victim")],
    "not a file extracted from this archive")
tar("tar-hardlink-via-symlink.tar", [ti("lnk", L, link="."),
                                     ti("f", data=b"x\n"),
                                     ti("hl", H, link="lnk/f")],
    "path goes through the symlink 'lnk'")
tar("tar-chardev.tar", [ti("null", tarfile.CHRTYPE)], "character device")
tar("tar-blockdev.tar", [ti("disk", tarfile.BLKTYPE)], "block device")
tar("tar-fifo.tar", [ti("fifo", tarfile.FIFOTYPE)], "FIFO")
tar("tar-dup.tar", [ti("f", data=b"first\n"), ti("f", data=b"second\n")],
    "would overwrite an existing file")
tar("tar-dup-over-symlink.tar", [ti("f", L, link="g"),
                                 ti("f", data=b"second\n")],
    "would write through a symlink")
tar("tar-longname.tar", [ti("n" * 10000, data=EVIL)], "name too long")
tar("tar-longcomp.tar", [ti("d/" + "c" * 300, data=EVIL)],
    "longer than 255 bytes")
tar("tar-deep.tar", [ti("d/" * 300 + "f", data=EVIL)],
    "more than 256 components")
tar("tar-longlink.tar", [ti("lnk", L, link="x/" * 3000)],
    "symlink target too long")


def tar_header(name, size, kind=b"0", mode=0o644):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % 1700000000
    h[148:156] = b" " * 8
    h[156:157] = kind
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def zero_chunks(total):
    """(chunk count, chunk size) for `total` zero bytes."""
    assert total % CHUNK == 0
    return total // CHUNK, CHUNK


def bomb_tar(name, compress_member):
    # Concatenated members/streams/frames of one compressor: valid files
    # that decompress to header + 1 GiB of zeros + the end blocks.
    n, size = zero_chunks(GIB)
    zeros = compress_member(bytes(size))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(compress_member(tar_header(b"zeros", GIB)))
        for _ in range(n):
            f.write(zeros)
        f.write(compress_member(bytes(10240)))
    note(name, "compression ratio above")


def zstd_member(data):
    return subprocess.run(["zstd", "-q", "-1", "-c"], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


bomb_tar("zeros-1g.tar.gz", lambda d: gzip.compress(d, 9))
bomb_tar("zeros-1g.tar.bz2", lambda d: bz2.compress(d, 1))
bomb_tar("zeros-1g.tar.xz", lambda d: lzma.compress(d, preset=0))
if shutil.which("zstd"):
    bomb_tar("zeros-1g.tar.zst", zstd_member)


def entries_tar(name, count):
    tmpl = tar_header(b"e0000000", 0)
    base = sum(tmpl) - sum(tmpl[148:156]) + 8 * 32
    zero_name = sum(b"e0000000")
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    with open(os.path.join(OUT, name), "wb") as f:
        batch = []
        for i in range(count):
            nm = b"e%07d" % i
            chk = base - zero_name + sum(nm)
            batch.append(nm + tmpl[8:148] + b"%06o\0 " % chk + tmpl[156:])
            if len(batch) == 8192:
                f.write(comp.compress(b"".join(batch)))
                batch = []
        batch.append(bytes(1024))
        f.write(comp.compress(b"".join(batch)))
        f.write(comp.flush())
    note(name, "more than 100000 entries")


entries_tar("entries-1m.tar.gz", 1000000)

# ---- zip -------------------------------------------------------------


def zip_(name, members, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(os.path.join(OUT, name), "w") as zf:
            for mname, data, mode in members:
                zi = zipfile.ZipInfo(mname, (2023, 11, 14, 22, 13, 20))
                zi.create_system = 3
                zi.external_attr = mode << 16
                zf.writestr(zi, data)
    note(name, fragment)


REG = 0o100644
LNK = 0o120777
zip_("zip-dotdot.zip", [("../canary/evil", EVIL, REG)], "'..' component")
zip_("zip-abs.zip", [(CANARY + "/abs", EVIL, REG)], "absolute path")
zip_("zip-symlink-rel.zip", [("lnk", b"../canary", LNK),
                             ("lnk/evil", EVIL, REG)],
     "symlink resolves outside")
zip_("zip-symlink-abs.zip", [("lnk", CANARY.encode(), LNK),
                             ("lnk/evil", EVIL, REG)],
     "symlink to an absolute path")
zip_("zip-symlink-through.zip", [("sub/", b"", 0o40755),
                                 ("lnk", b"sub", LNK),
                                 ("lnk/evil", EVIL, REG)],
     "path goes through the symlink 'lnk'")
zip_("zip-dup.zip", [("f", b"first\n", REG), ("f", b"second\n", REG)],
     "would overwrite an existing file")
zip_("zip-longname.zip", [("n" * 10000, EVIL, REG)], "name too long")


def zip_bomb(name):
    # One deflated entry of 1 GiB of zeros; the raw deflate stream is one
    # fully flushed block sequence repeated, then a final empty block.
    n, size = zero_chunks(GIB)
    chunk = bytes(size)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    csize = len(body) * n + len(tail)
    fname = b"zeros"
    local = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0x5b21,
                        crc, csize, GIB, len(fname), 0) + fname
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20, 0,
                          8, 0, 0x5b21, crc, csize, GIB, len(fname), 0, 0,
                          0, 0, 0o100644 << 16, 0) + fname
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(local)
        for _ in range(n):
            f.write(body)
        f.write(tail)
        off = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 1, 1,
                            len(central), off, 0))
    note(name, "compression ratio above")


zip_bomb("zeros-1g.zip")

# ---- cpio (newc) ------------------------------------------------------


def cpio_entry(name, mode, data=b"", ino=1, nlink=1, rdev=(0, 0)):
    nm = name.encode() + b"\0"
    h = b"070701" + b"".join(b"%08X" % v for v in (
        ino, mode, 0, 0, nlink, 1700000000, len(data), 0, 0, rdev[0],
        rdev[1], len(nm), 0))
    out = h + nm
    out += bytes(-len(out) % 4)
    return out + data + bytes(-len(data) % 4)


def cpio(name, members, fragment, compress=None):
    body = b"".join(cpio_entry(*m[:2], **m[2]) if len(m) > 2
                    else cpio_entry(*m) for m in members)
    body += cpio_entry("TRAILER!!!", 0, ino=0, nlink=1)
    body += bytes(-len(body) % 512)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(compress(body) if compress else body)
    note(name, fragment)


cpio("cpio-dotdot.cpio", [("../canary/evil", 0o100644, {"data": EVIL})],
     "'..' component")
cpio("cpio-abs.cpio", [(CANARY + "/abs", 0o100644, {"data": EVIL})],
     "absolute path")
cpio("cpio-symlink-rel.cpio",
     [("lnk", 0o120777, {"data": b"../canary", "ino": 1}),
      ("lnk/evil", 0o100644, {"data": EVIL, "ino": 2})],
     "symlink resolves outside")
cpio("cpio-symlink-through.cpio",
     [("sub", 0o40755, {"ino": 1}),
      ("lnk", 0o120777, {"data": b"sub", "ino": 2}),
      ("lnk/evil", 0o100644, {"data": EVIL, "ino": 3})],
     "path goes through the symlink 'lnk'")
cpio("cpio-chardev.cpio", [("null", 0o20666, {"rdev": (1, 3)})],
     "character device")
cpio("cpio-fifo.cpio", [("fifo", 0o10644)], "FIFO")
cpio("cpio-dup.cpio.gz", [("f", 0o100644, {"data": b"a\n", "ino": 1}),
                          ("f", 0o100644, {"data": b"b\n", "ino": 2})],
     "would overwrite an existing file",
     compress=lambda b: gzip.compress(b, 1))
cpio("cpio-longname.cpio", [("n" * 10000, 0o100644, {"data": EVIL})],
     "name too long")

# ---- ar ---------------------------------------------------------------


def ar(name, members, fragment):
    out = [b"!<arch>\n"]
    for mname, data in members:
        nm = mname.encode()
        if len(nm) > 15 or b"/" in nm:
            # BSD long name: "#1/<len>", the name opens the data.
            head, data = b"#1/%d" % len(nm), nm + data
        else:
            head = nm + b"/"
        out.append(b"%-16s%-12d%-6d%-6d%-8o%-10d`\n" % (
            head, 1700000000, 0, 0, 0o100644, len(data)))
        out.append(data + (b"\n" if len(data) % 2 else b""))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b"".join(out))
    note(name, fragment)


ar("ar-dotdot.a", [("../canary/evil", EVIL)], "'..' component")
ar("ar-abs.a", [(CANARY + "/abs", EVIL)], "absolute path")
ar("ar-dup.a", [("f", b"first\n"), ("f", b"second\n")],
   "would overwrite an existing file")
ar("ar-longname.a", [("n" * 10000, EVIL)], "name too long")

with open(os.path.join(OUT, "MANIFEST"), "w") as f:
    f.write("\n".join(MANIFEST) + "\n")
