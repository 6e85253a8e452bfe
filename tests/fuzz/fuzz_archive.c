/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: archive unpacking into a fresh temporary directory,
 * with small limits. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <intoto/archive.h>
#include <intoto/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP) {
        /* Unpacked modes may deny writes; the tree is ours. */
        (void)chmod(path, 0700);
        return rmdir(path);
    }
    return unlink(path);
}

static void
rm_tree(const char *dir)
{
    /* Directories first get write permission so their entries go. */
    if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        abort();
    }
}

static int
fix_mode(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR) {
        (void)chmod(path, (st->st_mode & 07777) | 0700);
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[] = "/tmp/fuzz_archive.XXXXXX";
    char file[sizeof dir + 16];
    char dest[sizeof dir + 16];
    struct intoto_unpack_limits lim;
    struct intoto_error err;
    FILE *f;

    if (mkdtemp(dir) == NULL) {
        abort();
    }
    snprintf(file, sizeof file, "%s/a", dir);
    snprintf(dest, sizeof dest, "%s/out", dir);
    f = fopen(file, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
        fclose(f) != 0) {
        abort();
    }
    lim.max_bytes = 1 << 20;
    lim.max_entries = 64;
    lim.max_ratio = 50;
    lim.ratio_min_bytes = 64 << 10;
    intoto_error_init(&err);
    (void)intoto_archive_unpack(file, dest, &lim, NULL, &err);
    (void)nftw(dir, fix_mode, 16, FTW_PHYS);
    rm_tree(dir);
    return 0;
}
