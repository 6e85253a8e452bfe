# SPDX-License-Identifier: Apache-2.0
# make demo's script plays the whole supply chain: it must pass the honest
# run, fail the tampered one with a reason, and exit 0.
. "$TOP/tests/cli/lib.sh"
command -v git >/dev/null 2>&1 || skip "git is not installed"
command -v tar >/dev/null 2>&1 || skip "tar is not installed"
expect_exit 0 sh "$TOP/scripts/demo.sh" "$INTOTO"
expect_stdout "=> the supply chain verified"
expect_stdout "=> verification failed, as it must"
# The failing verification names the step and the artifact.
grep -F "package" stderr.txt | grep -F "demo-project/foo.py" >/dev/null ||
    { cat stderr.txt; die "the failure does not name step and artifact"; }
