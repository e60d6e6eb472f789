#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* words(text) -> list of lower-cased ASCII words (runs of letters, digits and apostrophes) */
static PyObject *words(PyObject *self, PyObject *args) {
    const char *s;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "s#", &s, &n)) return NULL;
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    char buf[256];
    Py_ssize_t len = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : ' ';
        int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'';
        if (word && len < (Py_ssize_t)sizeof buf) {
            buf[len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        } else if (!word && len > 0) {
            PyObject *w = PyUnicode_FromStringAndSize(buf, len);
            if (!w || PyList_Append(out, w) < 0) { Py_XDECREF(w); Py_DECREF(out); return NULL; }
            Py_DECREF(w);
            len = 0;
        }
    }
    return out;
}

static PyMethodDef methods[] = {
    {"words", words, METH_VARARGS, "Split text into lower-cased words."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_tok", NULL, -1, methods};

PyMODINIT_FUNC PyInit__tok(void) { return PyModule_Create(&module); }
