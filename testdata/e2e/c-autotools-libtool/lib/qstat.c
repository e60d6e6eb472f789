#include <math.h>
#include <stdlib.h>
#include "qstat.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int qstat_compute(double *v, size_t n, struct qstat *out)
{
    double sum = 0, sq = 0;
    size_t i;

    if (n == 0)
        return -1;
    qsort(v, n, sizeof *v, cmp);
    for (i = 0; i < n; i++)
        sum += v[i];
    out->n = n;
    out->min = v[0];
    out->max = v[n - 1];
    out->mean = sum / n;
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    for (i = 0; i < n; i++)
        sq += (v[i] - out->mean) * (v[i] - out->mean);
    out->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0;
    return 0;
}

const char *qstat_version(void)
{
    return "libqstat 1.2.0";
}
