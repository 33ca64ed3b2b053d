/* Nodes the cyclic garbage collector need not walk: autograd.graph's untrack and track, for graph nodes.
 *
 * A node made by an op refers only to older nodes, so it cannot be part of a reference cycle, and reference
 * counting frees it. Left tracked, each of the collector's full passes walks every node of a growing graph
 * again: an op costs more the bigger the graph. CPython untracks tuples and dicts of atoms for the same
 * reason; Python code cannot, hence this module (built at install where a C compiler is; optional).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *untrack(PyObject *module, PyObject *const *objects, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyObject_IS_GC(objects[i]))
            PyObject_GC_UnTrack(objects[i]); /* a no-op on an untracked object, as CPython's deallocators rely on */
    Py_RETURN_NONE;
}

static PyObject *track(PyObject *module, PyObject *node) {
    if (!PyObject_IS_GC(node)) {
        PyErr_Format(PyExc_TypeError, "track: a %.100s is not an object the collector can walk",
                     Py_TYPE(node)->tp_name);
        return NULL;
    }
    if (!PyObject_GC_IsTracked(node)) /* tracking a tracked object is a fatal error */
        PyObject_GC_Track(node);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"untrack", (PyCFunction)(void (*)(void))untrack, METH_FASTCALL,
     "Take the objects out of the cyclic collector's walks (a node and its tuple of operands: no cycle)."},
    {"track", track, METH_O, "Have the cyclic collector walk node again."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "autograd._untracked", NULL, 0, methods};

PyMODINIT_FUNC PyInit__untracked(void) { return PyModuleDef_Init(&module); }
