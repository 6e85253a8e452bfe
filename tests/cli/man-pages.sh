# SPDX-License-Identifier: Apache-2.0
# The manual pages in docs/man agree with the commands (STYLE.md section
# 11): for each in-toto-CMD.1 of a command, the options `in-toto CMD --help`
# lists and the options the page's OPTIONS section documents are the same
# set; every page has the required sections and renders without warnings;
# in-toto.1 lists the commands `in-toto --help` lists; every command
# answers --help (stdout, exit 0), --version (exit 0) and an unknown
# option (exit 2).
. "$TOP/tests/cli/lib.sh"
LC_ALL=C
export LC_ALL
MAN=$TOP/docs/man
[ -d "$MAN" ] || die "no docs/man directory"

"$INTOTO" --version >stdout.txt 2>stderr.txt || die "in-toto --version failed"
version=$(awk '{ print $NF; exit }' stdout.txt)
case $version in
[0-9]*.[0-9]*) ;;
*) cat stdout.txt; die "in-toto --version prints no version number" ;;
esac

# The commands of `in-toto --help`: the indented lines after "Commands:".
"$INTOTO" --help >stdout.txt 2>stderr.txt || die "in-toto --help failed"
[ -s stderr.txt ] && { cat stderr.txt; die "in-toto --help wrote to stderr"; }
commands=$(awk '/Commands:/ { on = 1; next }
    on && /^ +[a-z]/ { print $1; next }
    on { exit }' stdout.txt)
[ -n "$commands" ] ||
    { cat stdout.txt; die "in-toto --help lists no commands"; }

# help_opts: the option names of a --help text on stdin.  Options are the
# lines indented by at most 8 spaces that start with "-": "-x, --long ARG"
# gives -x and --long.  The usage lines (the first line and the indented
# lines right after it) are skipped.
help_opts() {
    awk '
    NR == 1 { usage = 1; next }
    usage && /^[ \t]+[^ \t]/ { next }
    { usage = 0 }
    {
        line = $0
        match(line, /^ */)
        if (RLENGTH > 8) { next }
        line = substr(line, RLENGTH + 1)
        if (line !~ /^-/) { next }
        while (match(line, /^--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
            print substr(line, 1, RLENGTH)
            line = substr(line, RLENGTH + 1)
            sub(/^(=[^ ]*|\[=[^ ]*| [^-, ][^ ]*)/, "", line)
            if (line !~ /^, *-/) { break }
            sub(/^, */, "", line)
        }
    }' | sort -u
}

# man_opts PAGE: the option names in the tags (the line after .TP) of the
# OPTIONS section of PAGE.
man_opts() {
    awk '
    /^\.SH/ { on = ($0 ~ /^\.SH +"?OPTIONS"? *$/); next }
    !on { next }
    /^\.TP/ { tag = 1; next }
    tag {
        tag = 0
        line = $0
        gsub(/\\-/, "-", line)
        gsub(/\\f[BIRP]/, "", line)
        gsub(/\\&/, "", line)
        while (match(line, /(^|[ ",[(|])--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
            t = substr(line, RSTART, RLENGTH)
            sub(/^[^-]/, "", t)
            print t
            line = substr(line, RSTART + RLENGTH)
        }
    }' "$1" | sort -u
}

# syn_opts PAGE: the option names anywhere in the SYNOPSIS of PAGE.
syn_opts() {
    awk '
    /^\.SH/ { on = ($0 ~ /^\.SH +"?SYNOPSIS"? *$/); next }
    !on { next }
    {
        line = $0
        gsub(/\\-/, "-", line)
        gsub(/\\f[BIRP]/, "", line)
        while (match(line, /(^|[ ",[(|])--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
            t = substr(line, RSTART, RLENGTH)
            sub(/^[^-]/, "", t)
            print t
            line = substr(line, RSTART + RLENGTH)
        }
    }' "$1" | sort -u
}

# help_of CMD...: the --help text of `in-toto CMD...`, checked: exit 0,
# something on stdout, nothing on stderr.
help_of() {
    "$INTOTO" "$@" --help >help.txt 2>stderr.txt
    rc=$?
    [ "$rc" -eq 0 ] ||
        { cat stderr.txt; die "in-toto $* --help exits $rc, not 0"; }
    [ -s help.txt ] || die "in-toto $* --help prints nothing on stdout"
    [ -s stderr.txt ] &&
        { cat stderr.txt; die "in-toto $* --help wrote to stderr"; }
    cat help.txt
}

# actions_of CMD: the actions `in-toto CMD --help` names as
# "Run 'in-toto CMD ACTION --help'" (record start, record stop).
actions_of() {
    help_of "$1" >"help-$1.txt" || exit 1
    grep -o "in-toto $1 [a-z]* --help" "help-$1.txt" | awk '{ print $3 }' |
        sort -u
}

# all_opts CMD: the options of `in-toto CMD --help` and of its actions.
all_opts() {
    actions=$(actions_of "$1") || exit 1
    for action in $actions; do
        help_of "$1" "$action" >"help-$1-$action.txt" || exit 1
    done
    help_opts <"help-$1.txt" >opts.tmp
    for action in $actions; do
        help_opts <"help-$1-$action.txt" >>opts.tmp
    done
    sort -u opts.tmp
}

failed=0
fail() { echo "FAIL: $*"; failed=1; }

# (1) and (2): each page of a command.
pages=0
for page in "$MAN"/in-toto-*.1; do
    [ -f "$page" ] || continue
    cmd=$(basename "$page" .1)
    cmd=${cmd#in-toto-}
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES; do
        grep -E "^\\.SH +\"?$s\"? *\$" "$page" >/dev/null ||
            fail "$(basename "$page") has no $s section"
    done
    echo " $commands " | tr '\n' ' ' | grep -F " $cmd " >/dev/null || {
        fail "$(basename "$page"): no command '$cmd' in in-toto --help"
        continue
    }
    pages=$((pages + 1))
    all_opts "$cmd" >help-opts.txt || { cat help-opts.txt; exit 1; }
    cp help-opts.txt "opts-$cmd.txt"
    man_opts "$page" >man-opts.txt
    [ -s help-opts.txt ] || fail "in-toto $cmd --help lists no options"
    if ! cmp -s help-opts.txt man-opts.txt; then
        fail "in-toto $cmd --help and $(basename "$page") list" \
            "different options"
        comm -23 help-opts.txt man-opts.txt | sed 's/^/    only in --help: /'
        comm -13 help-opts.txt man-opts.txt | sed 's/^/    only in the page: /'
    fi
    syn_opts "$page" >syn-opts.txt
    if [ -n "$(comm -23 syn-opts.txt man-opts.txt)" ]; then
        fail "$(basename "$page"): SYNOPSIS options not under OPTIONS:" \
            "$(comm -23 syn-opts.txt man-opts.txt | tr '\n' ' ')"
    fi
done
[ "$pages" -gt 0 ] || die "no docs/man/in-toto-*.1 page of a command"
for cmd in $commands; do
    [ -f "$MAN/in-toto-$cmd.1" ] || fail "no docs/man/in-toto-$cmd.1"
done

# ex_opts PAGE: "CMD OPTION" for each option of each in-toto command in
# the EXAMPLES of PAGE (a line, or a command after "$(" or "|", starting
# with "in-toto CMD" or "in-toto-CMD"; options end at "--" or at the end
# of the command).  Continued lines are joined.
ex_opts() {
    awk '
    /^\.SH/ { on = ($0 ~ /^\.SH +"?EXAMPLES"? *$/); next }
    !on { next }
    /^\.(B|BR|I) / { sub(/^\.[A-Z]+ /, "") }
    /^\./ { next }
    {
        line = held $0
        held = ""
        gsub(/\\-/, "-", line)
        gsub(/\\\(aq/, "\047", line)
        gsub(/\\f[BIRP]/, "", line)
        if (line ~ /\\e$/) { sub(/\\e$/, "", line); held = line; next }
        n = split(line, w, /[ \t]+/)
        cmd = ""
        for (i = 1; i <= n; i++) {
            if (cmd == "" && i > 1 && w[i - 1] !~ /^(\$\(|\||;|&&|\|\|)$/ &&
                w[i - 1] !~ /=\$\($/) {
                continue
            }
            if (w[i] == "in-toto" || w[i] ~ /^[A-Za-z_]*=\$\(in-toto$/ ||
                w[i] == "$(in-toto") {
                cmd = w[++i]
                continue
            }
            if (w[i] ~ /^(\$\()?in-toto-[a-z-]+$/) {
                cmd = w[i]
                sub(/^(\$\()?in-toto-/, "", cmd)
                continue
            }
            if (cmd == "") { continue }
            if (w[i] == "--" || w[i] ~ /^(\||\)|;|&&|\|\||>.*)$/) {
                cmd = ""
                continue
            }
            if (w[i] ~ /^--?[A-Za-z]/) {
                o = w[i]
                sub(/=.*/, "", o)
                print cmd, o
            }
        }
    }' "$1"
}

# (4) The examples of every page use options the commands have.
for page in "$MAN"/*.1; do
    ex_opts "$page" | while read -r cmd opt; do
        [ -f "opts-$cmd.txt" ] || {
            all_opts "$cmd" >"opts-$cmd.txt" || { cat "opts-$cmd.txt"; exit 1; }
        }
        grep -x -F -- "$opt" "opts-$cmd.txt" >/dev/null ||
            echo "FAIL: $(basename "$page"): example: in-toto $cmd has no $opt"
    done >ex-fail.txt
    if [ -s ex-fail.txt ]; then
        cat ex-fail.txt
        failed=1
    fi
done

# in-toto.1: the overview lists the commands in its COMMANDS section.
top=$MAN/in-toto.1
if [ -f "$top" ]; then
    for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" \
        EXAMPLES; do
        grep -E "^\\.SH +\"?$s\"? *\$" "$top" >/dev/null ||
            fail "in-toto.1 has no $s section"
    done
    awk '/^\.SH/ { on = ($0 ~ /COMMANDS/); next }
        on && /^\.TP/ { tag = 1; next }
        tag { tag = 0; sub(/^\.B +/, ""); gsub(/\\-/, "-"); print $1 }' \
        "$top" | sort -u >man-cmds.txt
    printf '%s\n' "$commands" | sort -u >help-cmds.txt
    if ! cmp -s help-cmds.txt man-cmds.txt; then
        fail "in-toto --help and in-toto.1 list different commands"
        comm -23 help-cmds.txt man-cmds.txt | sed 's/^/    only in --help: /'
        comm -13 help-cmds.txt man-cmds.txt | sed 's/^/    only in the page: /'
    fi
else
    fail "no docs/man/in-toto.1"
fi

# Every page renders without a warning.
if command -v groff >/dev/null 2>&1; then
    for page in "$MAN"/*.1; do
        groff -man -Tutf8 -ww -z "$page" >groff.txt 2>&1
        if [ -s groff.txt ]; then
            cat groff.txt
            fail "groff warns on $(basename "$page")"
        fi
    done
else
    echo "note: groff is not installed; pages not rendered"
fi

# (3) --help, --version and an unknown option, for every command and the
# actions of record, under both names where an alias is installed.
for cmd in $commands; do
    actions=$(actions_of "$cmd") || { cat "help-$cmd.txt"; exit 1; }
    for words in "$cmd" $(for a in $actions; do echo "$cmd:$a"; done); do
        # shellcheck disable=SC2046
        set -- $(echo "$words" | tr ':' ' ')
        help_of "$@" >/dev/null || exit 1
        "$INTOTO" "$@" --version >stdout.txt 2>stderr.txt
        rc=$?
        [ "$rc" -eq 0 ] || fail "in-toto $* --version exits $rc, not 0"
        grep -F "$version" stdout.txt >/dev/null ||
            fail "in-toto $* --version does not print $version"
        "$INTOTO" "$@" --no-such-option >stdout.txt 2>stderr.txt
        rc=$?
        [ "$rc" -eq 2 ] || fail "in-toto $* --no-such-option exits $rc, not 2"
        grep -F "error" stderr.txt >/dev/null ||
            fail "in-toto $* --no-such-option gives no error line"
    done
    if [ -x "$BIN/in-toto-$cmd" ]; then
        "$BIN/in-toto-$cmd" --version >stdout.txt 2>stderr.txt ||
            fail "in-toto-$cmd --version does not exit 0"
        grep -F "$version" stdout.txt >/dev/null ||
            fail "in-toto-$cmd --version does not print $version"
        "$BIN/in-toto-$cmd" --help >stdout.txt 2>stderr.txt ||
            fail "in-toto-$cmd --help does not exit 0"
    fi
done
"$INTOTO" --no-such-command >stdout.txt 2>stderr.txt
[ $? -eq 2 ] || fail "in-toto --no-such-command does not exit 2"
exit "$failed"
