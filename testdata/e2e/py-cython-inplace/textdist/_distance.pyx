# cython: boundscheck=False, wraparound=False
from libc.stdlib cimport malloc, free


def levenshtein(str a, str b):
    """Levenshtein distance, O(len(a)*len(b)) time, O(len(b)) memory."""
    cdef Py_ssize_t n = len(a), m = len(b), i, j
    cdef Py_ssize_t *prev = <Py_ssize_t *>malloc((m + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *cur = <Py_ssize_t *>malloc((m + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *tmp
    cdef Py_ssize_t cost, best
    if prev == NULL or cur == NULL:
        free(prev)
        free(cur)
        raise MemoryError()
    try:
        for j in range(m + 1):
            prev[j] = j
        for i in range(1, n + 1):
            cur[0] = i
            for j in range(1, m + 1):
                cost = 0 if a[i - 1] == b[j - 1] else 1
                best = prev[j] + 1
                if cur[j - 1] + 1 < best:
                    best = cur[j - 1] + 1
                if prev[j - 1] + cost < best:
                    best = prev[j - 1] + cost
                cur[j] = best
            tmp = prev
            prev = cur
            cur = tmp
        return prev[m]
    finally:
        free(prev)
        free(cur)


def closest(str word, candidates):
    return min(candidates, key=lambda c: (levenshtein(word, c), c))
