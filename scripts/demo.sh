#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A whole supply chain, end to end, with this project's binary alone:
# keys, a signed layout, three recorded steps, verification with an
# archive inspection, then a tampered source and a verification that fails.
# usage: scripts/demo.sh [path/to/in-toto]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/bin/in-toto}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -x "$bin" ] || { echo "demo: no binary at $bin (run make)" >&2; exit 1; }
# The inspection runs `in-toto unpack`: the binary must be on PATH.
PATH=$(dirname "$bin"):$PATH
export PATH

work=$(mktemp -d "${TMPDIR:-/tmp}/in-toto-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
mkdir owner functionary_bob functionary_carl upstream final

say() { printf '\n# %s\n' "$*"; }
show() {
    printf '$ %s\n' "$*"
    "$@"
}

say "Keys: the project owner signs the layout, bob and carl do the steps"
(cd owner && show in-toto keygen -t rsa owner)
(cd functionary_bob && show in-toto keygen -t ed25519 bob)
(cd functionary_carl && show in-toto keygen -t ecdsa carl)

keyid() {
    in-toto key id "$1" | awk '$1 == "legacy:" { print $2 }'
}
keyobj() {
    in-toto key layout "$1"
}

say "The source: a local git repository"
(
    cd upstream
    git init -q -b main demo-project
    cd demo-project
    printf 'VERSION = "foo-v0"\n' > foo.py
    printf 'A demo project\n' > README.md
    git add foo.py README.md
    git -c user.name=demo -c user.email=demo@example.org \
        commit -q -m "first release"
)
upstream_url="file://$work/upstream/demo-project"

say "The layout, made from layouts/demo.layout.template, signed by the owner"
expires=$(date -u -d '+1 month' '+%Y-%m-%dT%H:%M:%SZ')
bob_id=$(keyid functionary_bob/bob.pub)
carl_id=$(keyid functionary_carl/carl.pub)
keyobj functionary_bob/bob.pub > bob.json
keyobj functionary_carl/carl.pub > carl.json
awk -v expires="$expires" -v bob="$bob_id" -v carl="$carl_id" \
    -v up="$upstream_url" '
    /@BOB_KEY@/ { sub(/"@BOB_KEYID@": @BOB_KEY@.*/, "\"" bob "\": ");
                  printf "%s", $0; while ((getline l < "bob.json") > 0)
                  print l; print ","; next }
    /@CARL_KEY@/ { sub(/"@CARL_KEYID@": @CARL_KEY@.*/, "\"" carl "\": ");
                  printf "%s", $0; while ((getline l < "carl.json") > 0)
                  print l; next }
    { gsub(/@EXPIRES@/, expires); gsub(/@BOB_KEYID@/, bob);
      gsub(/@CARL_KEYID@/, carl); gsub(/@UPSTREAM@/, up); print }
' "$top/layouts/demo.layout.template" > owner/root.layout
(cd owner && show in-toto sign -f root.layout -k owner)

say "Step clone (bob): record the clone of the source"
cd functionary_bob
show in-toto run -n clone -p demo-project -k bob -- \
    git clone -q "$upstream_url" demo-project

say "Step update-version (bob): record start, edit, record stop"
show in-toto record start -n update-version -m demo-project -k bob
printf '$ %s\n' "edit demo-project/foo.py"
printf 'VERSION = "foo-v1"\n' > demo-project/foo.py
show in-toto record stop -n update-version -p demo-project -k bob
cp -r demo-project ../functionary_carl/
cd ../functionary_carl

package() {
    say "Step package (carl): make the release archive"
    show in-toto run -n package -m demo-project -p demo-project.tar.gz \
        -k carl -- tar --exclude .git -zcf demo-project.tar.gz demo-project
}
package

deliver() {
    rm -rf "$work/final"
    mkdir "$work/final"
    cp "$work"/owner/root.layout "$work"/owner/owner.pub \
       "$work"/functionary_bob/*.link "$work"/functionary_carl/*.link \
       "$work"/functionary_carl/demo-project.tar.gz "$work/final/"
}
deliver

say "Verification by the client: layout, links, rules, inspection"
cd "$work/final"
show in-toto verify -l root.layout -k owner.pub -t rsa
echo "=> the supply chain verified"

say "An attacker changes the source after update-version, before packaging"
cd "$work/functionary_carl"
printf '$ %s\n' "echo 'something evil' >> demo-project/foo.py"
echo "something evil" >> demo-project/foo.py
package
deliver

say "Verification by the client must now fail"
cd "$work/final"
if show in-toto verify -l root.layout -k owner.pub -t rsa; then
    echo "demo: the tampered supply chain verified: that is a bug" >&2
    exit 1
fi
echo "=> verification failed, as it must: see the reason above"
