#include <math.h>
#include <stdio.h>
#include "qstat.h"

int main(void)
{
    double v[] = {4, 1, 3, 2};
    struct qstat st;
    if (qstat_compute(v, 4, &st) != 0 || st.median != 2.5 || st.mean != 2.5 || st.min != 1 || st.max != 4) {
        fprintf(stderr, "FAIL: median=%g mean=%g\n", st.median, st.mean);
        return 1;
    }
    if (fabs(st.stddev - 1.2909944) > 1e-6) {
        fprintf(stderr, "FAIL: stddev=%g\n", st.stddev);
        return 1;
    }
    if (qstat_compute(v, 0, &st) != -1)
        return 1;
    puts("PASS: test_qstat");
    return 0;
}
