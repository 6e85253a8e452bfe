# SPDX-License-Identifier: Apache-2.0
# `make install PREFIX=...` after a plain `make` installs a pkg-config
# file naming that prefix, not the one of the first build; `make
# uninstall` removes the manual pages `make install` put in place.
# (A dry run: nothing is built or installed.)
. "$TOP/tests/cli/lib.sh"

command -v make >/dev/null || skip "no make"
build=$(cd "$BIN/.." && pwd)
[ -f "$build/intoto.pc" ] || skip "no intoto.pc in $build"
make -s -n -C "$TOP" BUILD="$build" PREFIX=/opt/intoto-test install \
    > install.txt 2>&1 || { cat install.txt; die "make -n install failed"; }
grep -q 'prefix=/opt/intoto-test' install.txt ||
    { cat install.txt; die "intoto.pc is not written for the new PREFIX"; }
make -s -n -C "$TOP" BUILD="$build" PREFIX=/opt/intoto-test uninstall \
    > uninstall.txt 2>&1 || { cat uninstall.txt; die "make -n failed"; }
grep -q '/opt/intoto-test/share/man/man1' uninstall.txt ||
    { cat uninstall.txt; die "uninstall leaves the manual pages"; }
exit 0
