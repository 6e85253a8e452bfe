# SPDX-License-Identifier: Apache-2.0
# A link that cannot be read is named once in the message, not twice
# ("link 'x.link': 'x.link': invalid JSON").
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice || die "keygen failed"
A=$(fx_id alice)
L="build.$(fx_id8 alice).link"
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' '')" '' \
    "$(fx_keyentry alice)"
fx_sign root.layout owner || die "sign failed"
for body in '{"signed": ' '{"payload": "e30K", "payloadType":
 "application/vnd.in-toto+json", "signatures": []}' \
    '{"payload": "eyJh", "payloadType": "application/vnd.in-toto+json",
 "signatures": []}'; do
    printf '%s' "$body" > "$L"
    expect_exit 1 fx_verify
    expect_stderr "step 'build'"
    expect_stderr "'$L'"
    n=$(grep -o "'$L'" stderr.txt | wc -l)
    [ "$n" -eq 1 ] || { cat stderr.txt; die "the link is named $n times"; }
done
exit 0
