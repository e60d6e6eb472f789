/* qstat: summary statistics of the numbers given as arguments (or on stdin). */
#include <config.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qstat.h"

#define CONF_FILE SYSCONFDIR "/qstat.conf"

static int precision = 2;
static char label[64] = "qstat";

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int read_config(const char *path)
{
    char line[256];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        char *k = trim(line), *eq;
        if (*k == '#' || *k == '\0' || !(eq = strchr(k, '=')))
            continue;
        *eq = '\0';
        k = trim(k);
        if (strcmp(k, "precision") == 0)
            precision = atoi(trim(eq + 1));
        else if (strcmp(k, "label") == 0)
            snprintf(label, sizeof label, "%s", trim(eq + 1));
    }
    fclose(f);
    return 0;
}

static int push(double **v, size_t *n, size_t *cap, const char *s)
{
    char *end;
    double d;
    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end) {
        fprintf(stderr, "qstat: not a number: %s\n", s);
        return -1;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = realloc(*v, *cap * sizeof **v);
        if (!*v) {
            perror("qstat");
            exit(1);
        }
    }
    (*v)[(*n)++] = d;
    return 0;
}

int main(int argc, char **argv)
{
    double *v = NULL;
    size_t n = 0, cap = 0;
    struct qstat st;
    int i;

    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("qstat %s (%s)\n", PACKAGE_VERSION, qstat_version());
        return 0;
    }
    if (read_config(CONF_FILE) != 0) {
        fprintf(stderr, "qstat: cannot read %s: %s\n", CONF_FILE, strerror(errno));
        return 1;
    }
    if (argc > 1) {
        for (i = 1; i < argc; i++)
            if (push(&v, &n, &cap, argv[i]) != 0)
                return 2;
    } else {
        char word[128];
        while (scanf("%127s", word) == 1)
            if (push(&v, &n, &cap, word) != 0)
                return 2;
    }
    if (qstat_compute(v, n, &st) != 0) {
        fprintf(stderr, "qstat: no numbers\n");
        return 2;
    }
    printf("%s (config %s, %s)\n", label, CONF_FILE, qstat_version());
    printf("n=%zu min=%.*f max=%.*f\n", st.n, precision, st.min, precision, st.max);
    printf("mean=%.*f median=%.*f stddev=%.*f\n", precision, st.mean, precision, st.median,
           precision, st.stddev);
    free(v);
    return 0;
}
