#include "index.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_char(const void *a, const void *b)
{
    return *(const char *)a - *(const char *)b;
}

int signature(const char *word, char *sig, size_t sigsz)
{
    size_t n = 0;
    for (const char *p = word; *p; p++) {
        if (!isalpha((unsigned char)*p) || (unsigned char)*p > 127 || n + 1 >= sigsz)
            return -1;
        sig[n++] = (char)tolower((unsigned char)*p);
    }
    if (n == 0)
        return -1;
    sig[n] = '\0';
    qsort(sig, n, 1, cmp_char);
    return 0;
}

struct rec {
    char sig[MAX_WORD];
    char word[MAX_WORD];
};

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    int c = strcmp(x->sig, y->sig);
    return c ? c : strcmp(x->word, y->word);
}

int index_build(const char *wordlist, const char *out, uint32_t *count)
{
    FILE *in = fopen(wordlist, "r");
    if (!in) {
        fprintf(stderr, "anagram: %s: %s\n", wordlist, strerror(errno));
        return -1;
    }

    size_t cap = 4096, n = 0;
    struct rec *recs = malloc(cap * sizeof *recs);
    char line[256];
    while (recs && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (n == cap) {
            cap *= 2;
            struct rec *r = realloc(recs, cap * sizeof *recs);
            if (!r) { free(recs); recs = NULL; break; }
            recs = r;
        }
        if (signature(line, recs[n].sig, sizeof recs[n].sig) != 0)
            continue;
        /* words are stored lower-case; proper nouns fold into common words */
        size_t i = 0;
        for (; line[i]; i++)
            recs[n].word[i] = (char)tolower((unsigned char)line[i]);
        recs[n].word[i] = '\0';
        n++;
    }
    fclose(in);
    if (!recs) {
        fprintf(stderr, "anagram: out of memory\n");
        return -1;
    }

    qsort(recs, n, sizeof *recs, cmp_rec);

    /* drop duplicates (e.g. "Polish" and "polish") */
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || cmp_rec(&recs[u - 1], &recs[i]) != 0)
            recs[u++] = recs[i];
    n = u;

    struct index_entry *ents = calloc(n ? n : 1, sizeof *ents);
    char *pool = malloc(n * 2 * MAX_WORD + 1);
    if (!ents || !pool) {
        fprintf(stderr, "anagram: out of memory\n");
        free(recs); free(ents); free(pool);
        return -1;
    }
    uint32_t off = 0, last_sig = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(recs[i - 1].sig, recs[i].sig) == 0) {
            ents[i].sig = last_sig;  /* share the signature string */
        } else {
            last_sig = off;
            ents[i].sig = off;
            size_t l = strlen(recs[i].sig) + 1;
            memcpy(pool + off, recs[i].sig, l);
            off += (uint32_t)l;
        }
        ents[i].word = off;
        size_t l = strlen(recs[i].word) + 1;
        memcpy(pool + off, recs[i].word, l);
        off += (uint32_t)l;
    }

    struct index_header hdr;
    memcpy(hdr.magic, INDEX_MAGIC, 4);
    hdr.version = INDEX_VERSION;
    hdr.count = (uint32_t)n;
    hdr.pool_size = off;

    int rc = 0;
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(&hdr, sizeof hdr, 1, f) != 1 ||
        (n && fwrite(ents, sizeof *ents, n, f) != n) ||
        fwrite(pool, 1, off, f) != off) {
        fprintf(stderr, "anagram: writing %s: %s\n", out, strerror(errno));
        rc = -1;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "anagram: closing %s: %s\n", out, strerror(errno));
        rc = -1;
    }
    if (count)
        *count = (uint32_t)n;
    free(recs); free(ents); free(pool);
    return rc;
}

int index_open(struct index *ix, const char *path)
{
    memset(ix, 0, sizeof *ix);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "anagram: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(struct index_header)) {
        fprintf(stderr, "anagram: %s: not an index\n", path);
        close(fd);
        return -1;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        fprintf(stderr, "anagram: mmap %s: %s\n", path, strerror(errno));
        return -1;
    }
    const struct index_header *h = m;
    size_t need = sizeof *h + (size_t)h->count * sizeof(struct index_entry) + h->pool_size;
    if (memcmp(h->magic, INDEX_MAGIC, 4) != 0 || h->version != INDEX_VERSION ||
        need != (size_t)st.st_size) {
        fprintf(stderr, "anagram: %s: bad or truncated index\n", path);
        munmap(m, (size_t)st.st_size);
        return -1;
    }
    ix->map = m;
    ix->map_len = (size_t)st.st_size;
    ix->hdr = h;
    ix->entries = (const struct index_entry *)(h + 1);
    ix->pool = (const char *)(ix->entries + h->count);
    return 0;
}

void index_close(struct index *ix)
{
    if (ix->map)
        munmap(ix->map, ix->map_len);
    memset(ix, 0, sizeof *ix);
}

size_t index_lookup(const struct index *ix, const char *sig,
                    void (*fn)(const char *word, void *arg), void *arg)
{
    /* lower bound of SIG */
    size_t lo = 0, hi = ix->hdr->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->pool + ix->entries[mid].sig, sig) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t found = 0;
    for (size_t i = lo; i < ix->hdr->count; i++) {
        if (strcmp(ix->pool + ix->entries[i].sig, sig) != 0)
            break;
        fn(ix->pool + ix->entries[i].word, arg);
        found++;
    }
    return found;
}
