#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sodium.h>

static PyObject *py_blake2b(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"data", "size", NULL};
    Py_buffer buf;
    Py_ssize_t size = crypto_generichash_BYTES;
    unsigned char out[crypto_generichash_BYTES_MAX];

    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|n", kwlist, &buf, &size))
        return NULL;
    if (size < crypto_generichash_BYTES_MIN || size > crypto_generichash_BYTES_MAX) {
        PyBuffer_Release(&buf);
        return PyErr_Format(PyExc_ValueError, "size must be in [%d, %d]",
                            crypto_generichash_BYTES_MIN, crypto_generichash_BYTES_MAX);
    }
    Py_BEGIN_ALLOW_THREADS
    crypto_generichash(out, (size_t)size, buf.buf, (unsigned long long)buf.len, NULL, 0);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyBytes_FromStringAndSize((const char *)out, size);
}

static PyObject *py_library_version(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(sodium_version_string());
}

static PyMethodDef methods[] = {
    {"blake2b", (PyCFunction)(void (*)(void))py_blake2b, METH_VARARGS | METH_KEYWORDS,
     "blake2b(data, size=32) -> bytes: BLAKE2b digest computed by libsodium"},
    {"library_version", py_library_version, METH_NOARGS, "libsodium's version string"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sodium", NULL, -1, methods};

PyMODINIT_FUNC PyInit__sodium(void)
{
    if (sodium_init() < 0) {
        PyErr_SetString(PyExc_RuntimeError, "sodium_init failed");
        return NULL;
    }
    return PyModule_Create(&module);
}
