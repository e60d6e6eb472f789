#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

/* sieve(n): a malloc'd array where a[i] == 1 iff i is prime, for 0 <= i <= n */
static unsigned char *sieve(Py_ssize_t n) {
    unsigned char *a = malloc((size_t)n + 1);
    if (!a) return NULL;
    memset(a, 1, (size_t)n + 1);
    a[0] = 0;
    if (n >= 1) a[1] = 0;
    for (Py_ssize_t i = 2; i * i <= n; i++)
        if (a[i])
            for (Py_ssize_t j = i * i; j <= n; j += i) a[j] = 0;
    return a;
}

static PyObject *count_primes(PyObject *self, PyObject *args) {
    Py_ssize_t n, count = 0;
    if (!PyArg_ParseTuple(args, "n", &n)) return NULL;
    if (n < 2) return PyLong_FromSsize_t(0);
    unsigned char *a = sieve(n);
    if (!a) return PyErr_NoMemory();
    for (Py_ssize_t i = 2; i <= n; i++) count += a[i];
    free(a);
    return PyLong_FromSsize_t(count);
}

static PyObject *nth_prime(PyObject *self, PyObject *args) {
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "n", &k)) return NULL;
    if (k < 1) { PyErr_SetString(PyExc_ValueError, "k must be >= 1"); return NULL; }
    for (Py_ssize_t n = 64;; n *= 2) {
        unsigned char *a = sieve(n);
        if (!a) return PyErr_NoMemory();
        Py_ssize_t seen = 0;
        for (Py_ssize_t i = 2; i <= n; i++)
            if (a[i] && ++seen == k) { free(a); return PyLong_FromSsize_t(i); }
        free(a);
    }
}

static PyMethodDef methods[] = {
    {"count_primes", count_primes, METH_VARARGS, "Number of primes <= n."},
    {"nth_prime", nth_prime, METH_VARARGS, "The k-th prime (1-based)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sieve", "C sieve of Eratosthenes", -1, methods};

PyMODINIT_FUNC PyInit__sieve(void) { return PyModule_Create(&module); }
