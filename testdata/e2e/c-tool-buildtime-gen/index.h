#ifndef ANAGRAM_INDEX_H
#define ANAGRAM_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define INDEX_MAGIC   "ANIX"
#define INDEX_VERSION 1u
#define MAX_WORD      64

/* On-disk layout (little-endian, what the build host wrote):
 *   struct index_header
 *   struct index_entry[count], sorted by signature, then word
 *   string pool: NUL-terminated signatures and words            */
struct index_header {
    char     magic[4];
    uint32_t version;
    uint32_t count;
    uint32_t pool_size;
};

struct index_entry {
    uint32_t sig;   /* offset into the pool */
    uint32_t word;  /* offset into the pool */
};

struct index {
    void                     *map;
    size_t                    map_len;
    const struct index_header *hdr;
    const struct index_entry *entries;
    const char               *pool;
};

/* Lower-cases WORD into SIG and sorts its letters; returns -1 if WORD has
 * anything but ASCII letters or is too long. */
int  signature(const char *word, char *sig, size_t sigsz);

int  index_build(const char *wordlist, const char *out, uint32_t *count);
int  index_open(struct index *ix, const char *path);
void index_close(struct index *ix);

/* Calls FN for every word whose signature equals SIG. Returns the number found. */
size_t index_lookup(const struct index *ix, const char *sig,
                    void (*fn)(const char *word, void *arg), void *arg);

#endif
