#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# in-toto-run: link name and fields, streams, -x, exit codes.
. "$TOP/tests/cli/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the links"
KEY="$INTEROP/keys/record-ed25519"
[ -f "$KEY" ] || skip "interop keys not found"
RUN="$BIN/in-toto-run"

# field FILE EXPR: print a value of the link's signed part (python expr
# over s).
field() {
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
s = d["signed"]
print(json.dumps(eval(sys.argv[2]), sort_keys=True))' "$1" "$2"
}

printf 'one\n' > in.txt
expect_exit 0 "$RUN" -n step1 -k "$KEY" -t ed25519 -m in.txt -p out.txt -- \
    sh -c 'cp in.txt out.txt; echo said; echo warned >&2'
set -- step1.*.link
[ $# -eq 1 ] && [ -f "$1" ] || die "no step1.<keyid>.link"
link=$1
case "$link" in
step1.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].link) ;;
*) die "bad link name $link" ;;
esac
[ "$(field "$link" 's["_type"]')" = '"link"' ] || die "_type"
[ "$(field "$link" 's["command"]')" = \
  '["sh", "-c", "cp in.txt out.txt; echo said; echo warned >&2"]' ] ||
    die "command: $(field "$link" 's["command"]')"
[ "$(field "$link" 's["byproducts"]')" = \
  '{"return-value": 0, "stderr": "", "stdout": ""}' ] || die "byproducts"
[ "$(field "$link" 'sorted(s["materials"])')" = '["in.txt"]' ] ||
    die "materials"
want=$(sha256sum in.txt | cut -d' ' -f1)
[ "$(field "$link" 's["products"]["out.txt"]["sha256"]')" = "\"$want\"" ] ||
    die "product hash"
[ "$(field "$link" 's["environment"]')" = '{}' ] || die "environment"
[ "$(field "$link" 'd["signatures"][0]["keyid"][:8]')" = \
  "\"$(echo "$link" | cut -d. -f2)\"" ] || die "keyid infix"

# -s: streams recorded and still shown.
rm -f step1.*.link
expect_exit 0 "$RUN" -n step1 -k "$KEY" -s -- sh -c 'echo said; echo warned >&2'
expect_stdout "said"
expect_stderr "warned"
[ "$(field step1.*.link 's["byproducts"]')" = \
  '{"return-value": 0, "stderr": "warned\n", "stdout": "said\n"}' ] ||
    die "streams: $(field step1.*.link 's["byproducts"]')"

# -x: no command.
expect_exit 0 "$RUN" -n review -k "$KEY" -m in.txt -x
[ "$(field review.*.link 's["command"]')" = '[]' ] || die "-x command"
[ "$(field review.*.link 's["byproducts"]')" = '{}' ] || die "-x byproducts"

# -d, --hash sha512, --use-dsse with a PKCS8 key (2.x key id).
mkdir meta
expect_exit 0 "$RUN" -n dsse --signing-key "$INTEROP/keys/record-pkcs8-ed25519.pem" \
    --use-dsse -d meta --hash sha512 -p in.txt -x
set -- meta/dsse.*.link
[ -f "$1" ] || die "no DSSE link in meta/"
grep -q '"payloadType"' "$1" || die "not a DSSE envelope"

# --normalize-line-endings: CRLF hashes as LF.
printf 'a\r\nb\r\n' > crlf.txt
printf 'a\nb\n' > lf.txt
expect_exit 0 "$RUN" -n eol -k "$KEY" -p crlf.txt lf.txt -x \
    --normalize-line-endings
[ "$(field eol.*.link 's["products"]["crlf.txt"]')" = \
  "$(field eol.*.link 's["products"]["lf.txt"]')" ] ||
    die "--normalize-line-endings did not normalise"
rm -f eol.*.link
expect_exit 0 "$RUN" -n eol -k "$KEY" -p crlf.txt lf.txt -x
[ "$(field eol.*.link 's["products"]["crlf.txt"]')" = \
  "$(field eol.*.link 's["products"]["lf.txt"]')" ] &&
    die "line endings normalised without the flag"

# A missing metadata directory is found before the command runs.
expect_exit 1 "$RUN" -n s -k "$KEY" -d no-such-dir -- touch ran
expect_stderr "no-such-dir"
[ -e ran ] && die "the command ran although the link could not be written"

# A failing command still gets its link; run exits with its status.
expect_exit 3 "$RUN" -n flaky -k "$KEY" -- sh -c 'exit 3'
expect_stderr "exited with status 3"
[ "$(field flaky.*.link 's["byproducts"]["return-value"]')" = 3 ] ||
    die "return-value"

# A command that cannot start: exit 1, no link.
expect_exit 1 "$RUN" -n nostart -k "$KEY" -- ./no-such-program
expect_stderr "cannot run './no-such-program'"
ls nostart.*.link 2>/dev/null && die "link written for a command never run"

# Timeout: the whole group is stopped, exit 1, no link.
expect_exit 1 "$RUN" -n slow -k "$KEY" --run-timeout 0.5 -- \
    sh -c 'sleep 20 & sleep 20'
expect_stderr "timed out"
ls slow.*.link 2>/dev/null && die "link written after a timeout"

# SIGTERM to in-toto-run (a cancelled CI job) reaches the command's
# process group; its end is recorded.
"$RUN" -n term -k "$KEY" -- sh -c 'touch started; exec sleep 30' \
    </dev/null >/dev/null 2>term.err &
pid=$!
i=0
while [ ! -f started ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f started ] || die "the command did not start"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || { cat term.err; die "exit $rc after SIGTERM, not 143"; }
[ "$(field term.*.link 's["byproducts"]["return-value"]')" = -15 ] ||
    die "return-value after SIGTERM"

# Usage errors exit 2.
expect_exit 2 "$RUN" -k "$KEY" -x
expect_stderr "step name"
expect_exit 2 "$RUN" -n s -k "$KEY"
expect_stderr "no command"
expect_exit 2 "$RUN" -n s -x
expect_exit 2 "$RUN" -n s -k "$KEY" -x --bogus
expect_stderr "unrecognized option"
expect_exit 2 "$RUN" -n s -k "$KEY" -g -x
expect_stderr "give exactly one of"
expect_exit 2 "$RUN" -n s -k "$KEY" -t dsa -x
expect_exit 2 "$RUN" -n s -k "$KEY" -x --run-timeout soon
expect_exit 0 "$RUN" --help
expect_stdout "--lstrip-paths"

# A missing key file is an error naming it.
expect_exit 1 "$RUN" -n s -k ./nokey -x
expect_stderr "nokey"
exit 0
