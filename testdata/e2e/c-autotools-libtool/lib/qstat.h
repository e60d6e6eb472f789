#ifndef QSTAT_H
#define QSTAT_H
#include <stddef.h>

struct qstat {
    size_t n;
    double min, max, mean, median, stddev;
};

/* qstat_compute sorts values in place and fills out; returns 0, or -1 when n is 0. */
int qstat_compute(double *values, size_t n, struct qstat *out);
const char *qstat_version(void);

#endif
