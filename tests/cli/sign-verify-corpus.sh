# SPDX-License-Identifier: Apache-2.0
# Every Metablock and DSSE layout and link of the reference corpus passes
# `in-toto sign --verify` with the key that signed it (a key file of its
# case, or a key object of its layout), and fails, exit 1, with a key of
# another case.  This also checks canonical JSON: a Metablock signature
# only verifies when our canonical bytes of "signed" are the signer's.
. "$TOP/tests/cli/lib.sh"
command -v jq >/dev/null || skip "jq is not installed (it reads the corpus)"
[ -d "$INTEROP/cases" ] || skip "no corpus at $INTEROP"
cases="$INTEROP/cases"

# Files whose signature was broken on purpose by the corpus (tampered
# after signing, or signed without PAE): their own key must fail on them.
broken="demo-tampered-link/package.880eed99.link
sublayout-tampered-inner-link/build.044d1e63/review.fe217d90.link
dsse-tampered-payload/package.050054cd.link
dsse-selfmade-no-pae/root.layout"
foreign_keys="demo-rsa/alice.pub demo-ed25519/alice.pub demo-ecdsa/alice.pub
upstream-py-pems/rsa_public.pem dsse-demo/alice.pub.pem"

# One jq run over the whole corpus (OpenPGP cases left out): the keyid of
# every signature, and every key object of every layout (also sublayouts
# and DSSE payloads).
files=$(cd "$cases" && grep -L -w gpg ./*/tags | xargs -n1 dirname |
        xargs -I{} find {} -name '*.layout' -o -name '*.link' | sort)
[ -n "$files" ] || die "no metadata files found in $cases"
(cd "$cases" && jq -r 'input_filename as $f |
    (.signatures[] | "SIG\t\($f)\t\(.keyid)"),
    ((if has("payload") then .payload | @base64d | fromjson
      else .signed end) | select(._type == "layout") | .keys |
     to_entries[] | "KEY\t\($f)\t\(.key)\t\(.value | tojson)")' $files) \
    > corpus.tsv || die "jq cannot read the corpus"

# Key objects go to keys/<case>/<keyid>.json.
grep '^KEY' corpus.tsv | while IFS="$(printf '\t')" read -r _ f id json; do
    c=${f#./}; c=${c%%/*}
    mkdir -p "keys/$c"
    printf '%s\n' "$json" > "keys/$c/$id.json"
done

# keyids.tsv: "<case> <key file> <id>" for both ids of every key file of a
# case, and the id a layout files each key object under; the keys of
# other cases are listed under the case "foreign:<their case>".
for c in $(printf '%s\n' $files | cut -d/ -f2 | sort -u); do
    for k in "$cases/$c"/*.pub "$cases/$c"/*.pem; do
        [ -f "$k" ] || continue
        "$INTOTO" key id "$k" > ids.txt || die "in-toto key id $k failed"
        awk -v c="$c" -v k="$k" '{print c "\t" k "\t" $2}' ids.txt
    done
    for k in "keys/$c"/*.json; do
        [ -f "$k" ] && printf '%s\t%s\t%s\n' "$c" "$k" "$(basename "$k" .json)"
    done
done > keyids.tsv
for k in $foreign_keys; do
    "$INTOTO" key id "$cases/$k" > ids.txt || die "in-toto key id $k failed"
    awk -v c="foreign:${k%%/*}" -v k="$cases/./$k" \
        '{print c "\t" k "\t" $2}' ids.txt
done >> keyids.tsv

own=0 foreign=0 unknown=0 broken_seen=0
for f in $files; do
    rel=${f#./}
    c=${rel%%/*}
    # OWN lines: key files of the case with an id among the signatures';
    # one FOREIGN line: a key of another case with none of them.
    awk -F '\t' -v f="$f" -v c="$c" '
        FNR == NR { if ($1 == "SIG" && $2 == f) { sig[$3] = 1 }; next }
        { file[$2] = $1; if ($3 in sig) { hit[$2] = 1 } }
        END {
            for (k in hit) { if (file[k] == c) { print "OWN\t" k } }
            for (k in file) {
                if (file[k] ~ /^foreign:/ && file[k] != "foreign:" c &&
                    !(k in hit)) { print "FOREIGN\t" k; exit }
            }
        }' corpus.tsv keyids.tsv > plan.txt
    grep -q '^OWN' plan.txt || unknown=$((unknown + 1))
    while IFS="$(printf '\t')" read -r what k; do
        if [ "$what" = FOREIGN ]; then
            expect_exit 1 "$INTOTO" sign --verify -f "$cases/$rel" -k "$k"
            expect_stderr "no signature by key"
            foreign=$((foreign + 1))
        elif echo "$broken" | grep -qxF "$rel"; then
            expect_exit 1 "$INTOTO" sign --verify -f "$cases/$rel" -k "$k"
            expect_stderr "$(basename "$rel")"
            broken_seen=$((broken_seen + 1))
        else
            expect_exit 0 "$INTOTO" sign --verify -f "$cases/$rel" -k "$k"
            own=$((own + 1))
        fi
    done < plan.txt
done
echo "verified $own files with their own key, refused $foreign with" \
     "another case's key, $broken_seen broken on purpose," \
     "$unknown without a known key"
[ "$own" -ge 150 ] || die "only $own files verified; corpus not found?"
[ "$broken_seen" -ge 4 ] || die "the broken files were not all checked"
[ "$foreign" -ge "$own" ] || die "too few foreign-key checks"
