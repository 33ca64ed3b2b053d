"""Nodes the cyclic collector need not walk (autograd._untracked): which are left out, and cycles still freed."""

from __future__ import annotations

import copy
import copyreg
import gc
import math
import pickle
import subprocess
import sys
import weakref

import pytest

import autograd
from autograd import Value, graph

needs_module = pytest.mark.skipif(graph.untrack is None, reason="autograd._untracked was not built at install")


class Sentinel:
    """A tracked object hung on a graph: freed exactly when the graph is."""


def held(x: Value) -> weakref.ref:
    """A weak reference that dies when x is freed (x is a leaf: its meta keeps x tracked)."""
    sentinel = Sentinel()
    x.meta = {"sentinel": sentinel}
    return weakref.ref(sentinel)


@needs_module
def test_a_node_an_op_makes_and_its_operands_are_left_out_of_the_collectors_walks():
    x, w = Value(0.5), Value(2.0)
    nodes = [x * w, x + 1.0, x.tanh(), autograd.sum_values([x, w, x]), autograd.value.apply(autograd.ops.mul, [x, 3.0])]
    for node in nodes:
        assert not gc.is_tracked(node) and not gc.is_tracked(node.parents), node
    assert gc.is_tracked(x)  # a leaf you made: yours, tracked as any object
    assert not gc.is_tracked(autograd.constant(0.25))


@needs_module
def test_a_chain_grows_no_work_for_the_collector():
    gc.collect()
    before = len(gc.get_objects())
    y = Value(0.5)
    for _ in range(10_000):
        y = y.tanh()
    assert len(gc.get_objects()) - before < 100  # 10,000 nodes and 10,000 tuples, none walked
    y.backward()
    t = 0.5
    for _ in range(10_000):
        t = math.tanh(t)
    assert y.data == t


@needs_module
def test_a_node_whose_meta_or_label_holds_a_node_is_walked_again_with_what_it_depends_on():
    x = Value(0.5)
    y = (x * 2.0).tanh()
    y.label = "y"
    y.meta = {"role": "loss", "layer": 2}  # names and numbers, as nn's: they hold no node
    assert not gc.is_tracked(y)
    y.meta = {"role": "loss", "me": y}
    assert gc.is_tracked(y) and gc.is_tracked(y.parents)
    assert gc.is_tracked(y.parents[0]) and gc.is_tracked(y.parents[0].parents)
    z = y.exp()
    z.label = ["z", z]  # not a name: it may hold anything
    assert gc.is_tracked(z)


def test_an_nn_forward_pass_leaves_its_graph_out_of_the_collectors_walks():
    import nn

    loss = nn.losses.mse(nn.MLP(2, [4, 1], seed=0).forward([0.5, -1.0]), [1.0])
    assert loss.parents and not any(gc.is_tracked(node) for node in autograd.topological_order(loss) if node.parents)


@pytest.mark.parametrize(
    "closes",
    [
        pytest.param(lambda x, y: y.backward(create_graph=True), id="create_graph"),
        pytest.param(lambda x, y: (y.backward(create_graph=True), y.backward()), id="then a float pass"),
        pytest.param(lambda x, y: (y.backward(create_graph=True), y.backward(create_graph=True)), id="twice"),
        pytest.param(
            lambda x, y: (y.backward(create_graph=True), [n._backward() for n in autograd.topological_order(y)]),
            id="micrograd's _backward",
        ),
        pytest.param(lambda x, y: setattr(y, "meta", {"me": y}), id="meta holding the node"),
        pytest.param(lambda x, y: setattr(y, "label", [y]), id="a label holding the node"),
    ],
)
def test_a_cycle_closed_through_a_graph_is_freed_by_the_collector(closes):
    """A grad that is a Value computed from its node closes a cycle through the nodes between: all walked."""
    x = Value(0.7)
    alive = held(x)
    y = (x * x).tanh() * x + x.exp()
    closes(x, y)
    del x, y, closes
    gc.collect()
    assert alive() is None


@pytest.mark.parametrize(
    "holding",
    [
        pytest.param(lambda y, z: setattr(y, "meta", {"out": z}), id="meta"),
        pytest.param(lambda y, z: setattr(y, "meta", {"outs": [(z, 1)]}), id="meta, nested"),
        pytest.param(lambda y, z: setattr(y, "label", z), id="a Value as label"),
        pytest.param(lambda y, z: setattr(y, "label", ["y", {z}]), id="label, nested"),
    ],
)
def test_a_meta_or_label_holding_a_node_computed_from_its_node_is_freed_by_the_collector(holding):
    """What is stored may be above the node, not below it: the nodes it holds are walked too."""
    x = Value(0.7)
    alive = held(x)
    y = (x * x).tanh()
    holding(y, y * 3.0 + 1.0)
    del x, y, holding
    gc.collect()
    assert alive() is None


@pytest.mark.parametrize(
    "closes",
    [
        pytest.param(lambda x, c: (c * 2.0).backward(create_graph=True), id="create_graph"),
        pytest.param(lambda x, c: setattr(x, "meta", {**x.meta, "c": c}), id="meta"),
    ],
)
def test_a_cycle_through_a_shallow_copy_of_a_node_is_freed_by_the_collector(closes):
    """copy.copy gives a tracked node sharing its original's untracked operands: the walk goes on below it."""
    x = Value(0.7)
    alive = held(x)
    closes(x, copy.copy((x * x).tanh()))
    del x, closes
    gc.collect()
    assert alive() is None


class Pickled:
    """A node as pickles made before label and meta were properties hold it: its slots by their old names."""

    def __init__(self, node: Value):
        self.node = node

    def __reduce__(self):
        n = self.node
        if isinstance(n, autograd.value.Constant):
            return n.__reduce__()
        state = {"_local_grads": n._local_grads, "data": n.data, "grad": n.grad, "label": n.label, "meta": n.meta}
        state.update(op=n.op, parents=tuple(map(Pickled, n.parents)))  # the old slots' order: meta before parents
        return copyreg._reconstructor, (Value, object, None), (None, state)  # what __newobj__ does, for another class


def test_a_pickle_made_before_label_and_meta_were_properties_loads():
    x = Value(0.5, "x", meta={"role": "input"})
    y = (x * 2.0).tanh()
    y.label, y.meta = "y", {"role": "loss"}
    loaded = pickle.loads(pickle.dumps(Pickled(y)))
    assert (loaded.label, loaded.meta, loaded.data) == ("y", {"role": "loss"}, y.data)
    leaf = loaded.parents[0].parents[0]
    assert (leaf.label, leaf.meta) == ("x", {"role": "input"})
    loaded.backward()
    y.backward()
    assert leaf.grad == x.grad


def test_without_the_module_nodes_are_tracked_and_the_numbers_are_the_same():
    """A machine that had no C compiler at install: the collector walks graphs as any object."""
    code = (
        "import gc, sys; sys.modules['autograd._untracked'] = None\n"
        "from autograd import Value, graph\n"
        "x = Value(0.5); y = (x * 2.0).tanh() + x.exp(); y.backward()\n"
        "print(graph.untrack, gc.is_tracked(y), gc.is_tracked(y.parents), repr(y.data), repr(x.grad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    x = Value(0.5)
    y = (x * 2.0).tanh() + x.exp()
    y.backward()
    assert out == ["None", "True", "True", repr(y.data), repr(x.grad)]


def test_grads_that_are_other_numbers_pass_through_untouched():
    """A grad set by hand to a NumPy number (not a Value, not a float): nothing to walk, no error."""
    np = pytest.importorskip("numpy")
    x = Value(0.5)
    y = x.tanh() * 2.0
    y.grad = np.float64(1.0)
    for node in autograd.topological_order(y):
        node._backward()
    assert x.grad == pytest.approx(2.0 * (1.0 - math.tanh(0.5) ** 2))
    x.grad = np.float64(0.5)
    y.backward()  # adds to the grad there was
    assert x.grad == pytest.approx(0.5 + 2.0 * (1.0 - math.tanh(0.5) ** 2))


@needs_module
def test_tracking_an_object_the_collector_cannot_walk_is_refused_by_name():
    with pytest.raises(TypeError, match="track: a int is not an object the collector can walk"):
        graph._track(1)
    graph.untrack(1, 2.0, "x")  # atoms: nothing to take out, and no error
