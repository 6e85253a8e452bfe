/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark floor: walk a tree and SHA-256 every regular file on N threads,
 * nothing else.  usage: hashtree [-j N] DIR */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

static char **paths;
static size_t n_paths, cap_paths;
static size_t next_path;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
add_path(const char *p)
{
    if (n_paths == cap_paths) {
        cap_paths = cap_paths ? cap_paths * 2 : 1024;
        paths = realloc(paths, cap_paths * sizeof(*paths));
        if (paths == NULL) {
            exit(1);
        }
    }
    paths[n_paths++] = strdup(p);
}

static void
walk(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];

    if (d == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR) {
            walk(p);
        } else if (e->d_type == DT_REG) {
            add_path(p);
        }
    }
    closedir(d);
}

static void *
worker(void *arg)
{
    unsigned char *buf = malloc(1 << 20);
    unsigned char md[32];
    unsigned int mdlen;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t i;
    ssize_t n;
    int fd;

    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        i = next_path++;
        pthread_mutex_unlock(&lock);
        if (i >= n_paths) {
            break;
        }
        fd = open(paths[i], O_RDONLY);
        if (fd < 0) {
            continue;
        }
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        while ((n = read(fd, buf, 1 << 20)) > 0) {
            EVP_DigestUpdate(ctx, buf, (size_t)n);
        }
        EVP_DigestFinal_ex(ctx, md, &mdlen);
        close(fd);
        printf("%02x%02x%02x%02x  %s\n", md[0], md[1], md[2], md[3],
               paths[i]);
    }
    EVP_MD_CTX_free(ctx);
    free(buf);
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t th[64];
    int j = 2, i;

    if (argc == 4 && strcmp(argv[1], "-j") == 0) {
        j = atoi(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc != 2 || j < 1 || j > 64) {
        fprintf(stderr, "usage: hashtree [-j N] DIR\n");
        return 2;
    }
    walk(argv[1]);
    for (i = 0; i < j; i++) {
        pthread_create(&th[i], NULL, worker, NULL);
    }
    for (i = 0; i < j; i++) {
        pthread_join(th[i], NULL);
    }
    return 0;
}
