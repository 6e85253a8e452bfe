#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# in-toto-run on hostile trees: each case ends with a clear message or a
# documented result, never a hang or a crash.
. "$TOP/tests/cli/lib.sh"
KEY="$INTEROP/keys/record-ed25519"
[ -f "$KEY" ] || skip "interop keys not found"
RUN="$BIN/in-toto-run"
# A hang must fail the test, not stall the suite.
run() { expect_exit "$1" timeout 20 "$RUN" -n s -k "$KEY" -x -p "$2"; }

# Symlink loop: an error naming the link, exit 1.
mkdir -p loop/d/e && ln -s .. loop/d/e/up
run 1 loop
expect_stderr "symbolic link loop: 'loop/d/e/up'"

# Links that are no loop but double the tree at each of 25 levels: the
# walk gives up with an error instead of running for days.
mkdir fan
i=0
while [ $i -le 25 ]; do mkdir "fan/d$i"; i=$((i + 1)); done
i=0
while [ $i -lt 25 ]; do
    ln -s "../d$((i + 1))" "fan/d$i/l1"
    ln -s "../d$((i + 1))" "fan/d$i/l2"
    i=$((i + 1))
done
: > fan/d25/f
run 1 fan/d0
expect_stderr "directories reached through symbolic links"

# A link to itself (ELOOP on stat) is skipped like a dangling link.
mkdir self && ln -s me self/me && printf x > self/f
run 0 self
grep -q '"self/f"' s.*.link || die "self/f not recorded"
grep -q '"self/me"' s.*.link && die "self-link recorded"
rm -f s.*.link

# A FIFO is skipped with a warning and never opened (no hang).
mkdir fifo && mkfifo fifo/p && printf x > fifo/f
run 0 fifo
expect_stderr "skipping 'fifo/p': not a regular file or directory"
grep -q '"fifo/p"' s.*.link && die "FIFO recorded"
rm -f s.*.link

# A newline in a name is recorded, escaped in JSON.
mkdir nl && printf x > "nl/a
b"
run 0 nl
grep -q '"nl/a\\nb"' s.*.link || die "newline name not recorded as a\\nb"
rm -f s.*.link

# A name that is not UTF-8 cannot go into JSON: refused, path escaped.
mkdir bad && printf x > "$(printf 'bad/x\377y')"
run 1 bad
expect_stderr "not valid UTF-8"
expect_stderr "'bad/x\\xffy'"

# An unreadable directory: an error naming it.  root reads everything, so
# there the check uses a base path that is not a directory instead.
mkdir locked && printf x > locked/f
if [ "$(id -u)" -ne 0 ]; then
    chmod 000 locked
    run 1 locked
    chmod 755 locked
    expect_stderr "cannot read directory 'locked'"
else
    echo "running as root: chmod cannot hide a directory; checking a" \
         "base path that is a file instead"
    expect_exit 1 timeout 20 "$RUN" -n s -k "$KEY" -x -p f --base-path \
        locked/f
    expect_stderr "cannot use 'locked/f' as base path"
fi

# No rc file or IN_TOTO_* variable changes what is recorded
# (CVE-2023-32076).
mkdir rc && cd rc || die "cd rc"
printf 'kept\n' > kept.txt
printf 'x\n' > x.link
printf 'artifact_exclude_patterns=kept.txt\nartifact_base_path=/\n' \
    > .in_totorc
expect_exit 0 env IN_TOTO_ARTIFACT_EXCLUDE_PATTERNS=kept.txt \
    IN_TOTO_ARTIFACT_BASE_PATH=/ IN_TOTO_LINK_CMD_EXEC_TIMEOUT=0.001 \
    timeout 20 "$RUN" -n s -k "$KEY" -p . -- sleep 0.2
grep -q '"kept.txt"' s.*.link || die "an rc file or variable had an effect"
grep -q '"x.link"' s.*.link && die "default excludes not applied"
grep -q '".in_totorc"' s.*.link || die ".in_totorc not recorded as a file"
exit 0
