#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

static PyObject *primes(PyObject *self, PyObject *args) {
    long n;
    if (!PyArg_ParseTuple(args, "l", &n)) return NULL;
    if (n < 2) return PyList_New(0);
    char *composite = calloc((size_t)n + 1, 1);
    if (!composite) return PyErr_NoMemory();
    PyObject *out = PyList_New(0);
    for (long i = 2; i <= n; i++) {
        if (composite[i]) continue;
        PyObject *v = PyLong_FromLong(i);
        PyList_Append(out, v);
        Py_DECREF(v);
        for (long j = i * i; j <= n; j += i) composite[j] = 1;
    }
    free(composite);
    return out;
}

static PyMethodDef methods[] = {
    {"primes", primes, METH_VARARGS, "primes(n): the primes up to n"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sieve", NULL, -1, methods};

PyMODINIT_FUNC PyInit__sieve(void) { return PyModule_Create(&module); }
