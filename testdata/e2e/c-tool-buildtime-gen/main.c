/* anagram: finds anagrams of words with a precomputed index of a word list. */
#include "index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEFAULT_INDEX
#define DEFAULT_INDEX "/usr/local/share/anagram/words.idx"
#endif
#define VERSION "1.1"

struct printer {
    const char *self;
    int         first;
    int         all;
};

static void print_word(const char *word, void *arg)
{
    struct printer *p = arg;
    if (!p->all && strcmp(word, p->self) == 0)
        return;
    printf(" %s", word);
    p->first = 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: anagram [-a] [-i INDEX] WORD...\n"
            "       anagram -s [-i INDEX]\n"
            "       anagram build WORDLIST INDEX\n"
            "\n"
            "  -a        list the word itself too\n"
            "  -i INDEX  index to read (default %s)\n"
            "  -s        print index statistics\n"
            "  -V        print the version\n",
            DEFAULT_INDEX);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "build") == 0) {
        if (argc != 4) {
            usage(stderr);
            return 2;
        }
        uint32_t n = 0;
        if (index_build(argv[2], argv[3], &n) != 0)
            return 1;
        printf("anagram: indexed %u words into %s\n", n, argv[3]);
        return 0;
    }

    const char *path = DEFAULT_INDEX;
    int all = 0, stats = 0, opt;
    while ((opt = getopt(argc, argv, "ai:shV")) != -1) {
        switch (opt) {
        case 'a': all = 1; break;
        case 'i': path = optarg; break;
        case 's': stats = 1; break;
        case 'V': printf("anagram %s\n", VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!stats && optind >= argc) {
        usage(stderr);
        return 2;
    }

    struct index ix;
    if (index_open(&ix, path) != 0)
        return 1;

    if (stats) {
        size_t classes = 0, biggest = 0, run = 0;
        const char *best = "";
        for (uint32_t i = 0; i < ix.hdr->count; i++) {
            if (i == 0 || ix.entries[i].sig != ix.entries[i - 1].sig) {
                classes++;
                run = 0;
            }
            if (++run > biggest) {
                biggest = run;
                best = ix.pool + ix.entries[i].sig;
            }
        }
        printf("index: %s\nwords: %u\nsignatures: %zu\nlargest class: %zu (%s)\n",
               path, ix.hdr->count, classes, biggest, best);
    }

    int status = 0;
    for (int i = optind; i < argc; i++) {
        char sig[MAX_WORD];
        if (signature(argv[i], sig, sizeof sig) != 0) {
            fprintf(stderr, "anagram: %s: letters only, please\n", argv[i]);
            status = 1;
            continue;
        }
        char lower[MAX_WORD];
        size_t k = 0;
        for (; argv[i][k] && k + 1 < sizeof lower; k++)
            lower[k] = (char)((argv[i][k] >= 'A' && argv[i][k] <= 'Z') ? argv[i][k] + 32 : argv[i][k]);
        lower[k] = '\0';

        struct printer p = { lower, 1, all };
        printf("%s:", lower);
        index_lookup(&ix, sig, print_word, &p);
        if (p.first)
            printf(" (none)");
        printf("\n");
    }

    index_close(&ix);
    return status;
}
