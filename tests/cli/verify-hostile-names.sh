# SPDX-License-Identifier: Apache-2.0
# Step and inspection names become file names: '/', '\', '..', '.' and
# the empty name are refused before any file is opened or written.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice || die "keygen failed"
A=$(fx_id alice)
mkdir verify && cd verify || die "mkdir failed"
cp ../owner.pub . || die "cp failed"

for name in '../escape' 'a/b' '..' '.' '' 'a\\b'; do
    fx_layout root.layout "$FX_EXPIRES" "$(fx_step "$name" "\"$A\"" 1 '' '')" \
        '' "$(fx_keyentry ../alice)"
    fx_sign root.layout ../owner || die "sign failed"
    expect_exit 1 fx_verify
    expect_stderr "step name '"
    expect_stderr "is not allowed"
done

# An inspection that would write its link outside the directory.
fx_layout root.layout "$FX_EXPIRES" '' \
    "$(fx_inspection '../pwned' '"true"' '' '')" ''
fx_sign root.layout ../owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "inspection name '../pwned' is not allowed"
[ -e ../pwned.link ] && die "a link was written outside the directory"

# Duplicate names are refused too.
fx_layout root.layout "$FX_EXPIRES" "$(fx_step dup "\"$A\"" 1 '' '')" \
    "$(fx_inspection dup '"true"' '' '')" "$(fx_keyentry ../alice)"
fx_sign root.layout ../owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "the name 'dup' is used twice"

# An unknown field fails closed, naming the field.
fx_layout root.layout "$FX_EXPIRES" \
    "$(fx_step s "\"$A\"" 1 '' '' | sed 's/^{/{"extra": 1, /')" '' \
    "$(fx_keyentry ../alice)"
fx_sign root.layout ../owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "step 's' has unknown field 'extra'"

# So does an unknown field in a key object, and a key object whose own
# "keyid" differs from the id it is listed under.
mkdir -p src && echo x > src/x
(cd .. && fx_run s alice -p verify/src -- true) || die "run failed"
mv ../s.*.link . || die "no link"
fx_layout root.layout "$FX_EXPIRES" "$(fx_step s "\"$A\"" 1 '' '')" '' \
    "$(fx_keyentry ../alice | sed 's/"keytype"/"bogus": 1, "keytype"/')"
fx_sign root.layout ../owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "layout key '$A' has unknown field 'bogus'"
fx_layout root.layout "$FX_EXPIRES" "$(fx_step s "\"$A\"" 1 '' '')" '' \
    "$(fx_keyentry ../alice | sed "s/\"keyid\": \"$A\"/\"keyid\": \"00\"/")"
fx_sign root.layout ../owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "layout key '$A' names itself '00'"
ls .. | grep -v -e '^verify$' -e '^owner' -e '^alice' -e '\.txt$' &&
    die "files appeared outside the verification directory"
exit 0
