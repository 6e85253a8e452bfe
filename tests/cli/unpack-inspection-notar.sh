# SPDX-License-Identifier: Apache-2.0
# Supply chains like the corpus's inspection cases (a tar.gz, tar.xz and
# zip release; a hostile archive; an archive with an extra file) and a
# .deb chain with two unpacking inspections, built from the templates in
# layouts/ with this binary alone (keygen, run, sign), then verified with
# no tar on PATH: `in-toto unpack` runs in-process.
. "$TOP/tests/cli/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to fill the templates"
command -v bsdtar >/dev/null 2>&1 || skip "bsdtar is needed to package"

mkdir keys
(cd keys && "$INTOTO" keygen -t ed25519 owner && "$INTOTO" keygen -t ed25519 dev) \
    >stdout.txt 2>stderr.txt
if grep -F "not available in this build" stderr.txt >/dev/null; then
    skip "in-toto keygen is not available in this build"
fi
"$INTOTO" verify --help >stdout.txt 2>stderr.txt
if grep -F "not available in this build" stderr.txt stdout.txt >/dev/null; then
    skip "in-toto verify is not available in this build"
fi
[ -f keys/dev.pub ] || die "keygen wrote no dev.pub"

# The verifier's PATH: this binary as `in-toto`, and nothing else.
mkdir notar
ln -s "$INTOTO" notar/in-toto
if PATH=$TMPDIR/notar command -v tar >/dev/null 2>&1; then
    die "tar is still on the restricted PATH"
fi

devid=$("$INTOTO" key id keys/dev.pub | awk '$1 == "legacy:" { print $2 }')
[ -n "$devid" ] || die "no key id for keys/dev.pub"
"$INTOTO" key layout keys/dev.pub > keys/dev.json || die "key layout failed"

# fill TEMPLATE OUT NAME=VALUE...: substitute the placeholders, put the
# key objects in, wrap as an unsigned Metablock.
fill() {
    python3 - "$@" <<'PY'
import json, sys
src, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
subst = dict(p.split("=", 1) for p in pairs)
key = json.load(open(subst.pop("KEYFILE")))
text = open(src).read()
for k, v in subst.items():
    text = text.replace("@%s@" % k, v)
def fix(x):
    if isinstance(x, dict):
        return {k: fix(v) for k, v in x.items()}
    if isinstance(x, list):
        return [fix(v) for v in x]
    if x in ("@DEV_KEY@", "@PACKAGER_KEY@"):
        return key
    return x
layout = fix(json.loads(text))
left = [w for w in json.dumps(layout).split('"') if w.startswith("@")]
assert not left, left
json.dump({"signatures": [], "signed": layout}, open(out, "w"), indent=1)
PY
}

common="EXPIRES=2099-01-01T00:00:00Z DEV_KEYID=$devid PACKAGER_KEYID=$devid
KEYFILE=$TMPDIR/keys/dev.json LAYOUT=root.layout OWNER_PUB=owner.pub"

# chain NAME EXT PACKER...: a source step, a package step running PACKER
# (its last word is replaced by the archive name), and a verification.
chain() {
    name=$1 ext=$2
    shift 2
    d=$TMPDIR/$name
    mkdir -p "$d/work/demo-project/src" "$d/final"
    cd "$d/work"
    printf 'VERSION = "v1"\n' > demo-project/foo.py
    printf 'see foo.py\n' > demo-project/README.md
    printf 'int main(void) { return 0; }\n' > demo-project/src/main.c
    "$INTOTO" run -n source -p demo-project -k "$TMPDIR/keys/dev" -x ||
        die "$name: in-toto run source failed"
    "$INTOTO" run -n package -m demo-project -p "demo-project$ext" \
        -k "$TMPDIR/keys/dev" -- "$@" || die "$name: in-toto run package failed"
    sed "s/@PROJECT@\.tar\.gz/@PROJECT@$ext/g" \
        "$TOP/layouts/release-targz.layout.json" > layout.tmpl
    # shellcheck disable=SC2086
    fill layout.tmpl layout.json PROJECT=demo-project $common ||
        die "$name: cannot fill the template"
    "$INTOTO" sign -f layout.json -k "$TMPDIR/keys/owner" -o root.layout ||
        die "$name: cannot sign the layout"
    cp root.layout "$TMPDIR/keys/owner.pub" ./*.link "demo-project$ext" \
        "$d/final/"
    cd "$d/final"
}

verify_notar() {
    PATH=$TMPDIR/notar "$INTOTO" verify -l root.layout -k owner.pub -t ed25519 \
        >"$TMPDIR/stdout.txt" 2>"$TMPDIR/stderr.txt"
}

chain targz .tar.gz bsdtar -czf demo-project.tar.gz demo-project
verify_notar || { cat "$TMPDIR/stderr.txt"; die "tar.gz chain did not verify"; }
[ -f demo-project/src/main.c ] || die "tar.gz: the inspection extracted nothing"

chain tarxz .tar.xz bsdtar -cJf demo-project.tar.xz demo-project
verify_notar || { cat "$TMPDIR/stderr.txt"; die "tar.xz chain did not verify"; }

chain zip .zip bsdtar --format zip -cf demo-project.zip demo-project
verify_notar || { cat "$TMPDIR/stderr.txt"; die "zip chain did not verify"; }

# The packager slips a file in that the source step never recorded.
chain extra .tar.gz sh -c 'echo evil > demo-project/extra &&
    bsdtar -czf demo-project.tar.gz demo-project && rm demo-project/extra'
verify_notar && die "an archive with an extra file verified"
grep -F "demo-project/extra" "$TMPDIR/stderr.txt" >/dev/null ||
    { cat "$TMPDIR/stderr.txt"; die "the extra file is not named"; }

# A traversal member: the inspection fails and nothing lands outside.
chain traversal .tar.gz python3 -c '
import io, tarfile
with tarfile.open("demo-project.tar.gz", "w:gz") as tf:
    t = tarfile.TarInfo("../escaped")
    t.size = 5
    tf.addfile(t, io.BytesIO(b"evil\n"))'
verify_notar && die "a hostile archive verified"
grep -F "'..' component" "$TMPDIR/stderr.txt" >/dev/null ||
    { cat "$TMPDIR/stderr.txt"; die "the traversal is not reported"; }
[ ! -e "$TMPDIR/traversal/escaped" ] || die "the traversal wrote outside"

# The .deb chain: two inspections, the second unpacks the first's output.
if command -v dpkg-deb >/dev/null 2>&1; then
    d=$TMPDIR/deb
    mkdir -p "$d/work/root/DEBIAN" "$d/work/root/usr/bin" \
        "$d/work/root/usr/share/doc/hello" "$d/final"
    cd "$d/work"
    printf 'Package: hello\nVersion: 1.0\nArchitecture: all\n%s\n%s\n' \
        'Maintainer: Nobody <nobody@example.org>' \
        'Description: hello' > root/DEBIAN/control
    printf '#!/bin/sh\necho hello\n' > root/usr/bin/hello
    chmod 755 root/usr/bin/hello
    printf 'Hello, a demo package\n' > root/usr/share/doc/hello/README
    "$INTOTO" run -n stage -p root -k "$TMPDIR/keys/dev" -x ||
        die "deb: in-toto run stage failed"
    "$INTOTO" run -n package -m root -p hello_1.0_all.deb \
        -k "$TMPDIR/keys/dev" -- dpkg-deb -Zxz --root-owner-group --build \
        root hello_1.0_all.deb >/dev/null || die "deb: in-toto run package failed"
    # shellcheck disable=SC2086
    fill "$TOP/layouts/release-deb.layout.json" layout.json ROOT=root \
        DEB=hello_1.0_all.deb DATA_TAR=data.tar.xz $common ||
        die "deb: cannot fill the template"
    "$INTOTO" sign -f layout.json -k "$TMPDIR/keys/owner" -o root.layout ||
        die "deb: cannot sign the layout"
    cp root.layout "$TMPDIR/keys/owner.pub" ./*.link hello_1.0_all.deb \
        "$d/final/"
    cd "$d/final"
    verify_notar || { cat "$TMPDIR/stderr.txt"; die "deb chain did not verify"; }
    [ -f deb/data/usr/share/doc/hello/README ] ||
        die "deb: the second inspection extracted nothing"
fi
exit 0
