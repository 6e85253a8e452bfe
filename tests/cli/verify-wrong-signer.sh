# SPDX-License-Identifier: Apache-2.0
# A link must be signed by the key its file name and keyid claim, and
# must be for the step it is filed under.
. "$TOP/tests/cli/lib.sh"
. "$TOP/scripts/verify-fixture.sh"

fx_key owner alice mallory || die "keygen failed"
A=$(fx_id alice) A8=$(fx_id8 alice) M=$(fx_id mallory) M8=$(fx_id8 mallory)
mkdir src && echo x > src/x

# Mallory signs, then claims alice's key id and file name.
fx_run build mallory -p src -- true || die "run failed"
sed "s/$M/$A/" "build.$M8.link" > "build.$A8.link"
rm "build.$M8.link"
fx_layout root.layout "$FX_EXPIRES" "$(fx_step build "\"$A\"" 1 '' '')" \
    '' "$(fx_keyentry alice), $(fx_keyentry mallory)"
fx_sign root.layout owner || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "'build.$A8.link' has no valid signature by its key"

# Alice's valid link for "test", filed as her link for "build".
fx_run test alice -p src -- true || die "run failed"
cp "test.$A8.link" "build.$A8.link"
expect_exit 1 fx_verify
expect_stderr "step 'build': link 'build.$A8.link': the link is for step 'test', not 'build'"

# An artifact name that is not a clean path is refused, even signed.
mkdir -p a && echo y > a/y
fx_run build alice -p src a -- true || die "run failed"
sed 's|"a/y"|"a/../src/x"|' "build.$A8.link" > tmp.link
mv tmp.link "build.$A8.link"
fx_sign "build.$A8.link" alice || die "sign failed"
expect_exit 1 fx_verify
expect_stderr "artifact name 'a/../src/x' is not a clean relative path"

# A FIFO in place of a link or the layout must not block.
rm "build.$A8.link" && mkfifo "build.$A8.link" || die "mkfifo failed"
expect_exit 1 timeout 20 "$INTOTO" verify -l root.layout -k owner.pub \
    -t ed25519
expect_stderr "'build.$A8.link' is not a regular file"
mkfifo fifo.layout || die "mkfifo failed"
expect_exit 1 timeout 20 "$INTOTO" verify -l fifo.layout -k owner.pub \
    -t ed25519
expect_stderr "'fifo.layout' is not a regular file"
expect_exit 1 timeout 20 "$INTOTO" match-products -l fifo.layout
expect_stderr "'fifo.layout' is not a regular file"
exit 0
