"""Every public entry point, given wrong types or shapes, raises an error that names the argument
and what was expected. The table below is the list of cases tried."""

from __future__ import annotations

import math

import numpy as np
import pytest

from livegrad import GraphWidget, Op, Value, backward_trace, draw_dot, forward_trace, gradcheck
from livegrad.nn import MLP, Layer, Linear, Neuron
from livegrad.ops import OTHER_INPUT
from seeds import seed_neuron


def neuron() -> Value:
    return seed_neuron()["o"]


def n_of(root: Value) -> Value:
    return root.inputs[0]


# (case, call, error type, message the error must contain)
CASES = [
    # Value
    ("Value(str)", lambda: Value("1.0"), TypeError, "Value data must be a real number, got str"),
    ("Value(None)", lambda: Value(None), TypeError, "Value data must be a real number, got NoneType"),
    ("Value(complex)", lambda: Value(1 + 2j), TypeError, "Value data must be a real number, got complex"),
    ("Value(list)", lambda: Value([1.0]), TypeError, "Value data must be a real number, got list"),
    ("Value(Value)", lambda: Value(Value(1.0)), TypeError, "Value data must be a real number, got Value"),
    ("Value(dict)", lambda: Value({"x": 1}), TypeError, "Value data must be a real number, got dict"),
    ("Value(np.array)", lambda: Value(np.array([1.0, 2.0])), TypeError, "got ndarray"),
    ("Value(label=int)", lambda: Value(1.0, label=3), TypeError, "Value label must be a str, got int"),
    ("backward(accumulate=str)", lambda: Value(1.0).backward(accumulate="yes"), TypeError, "accumulate must be a bool"),
    # operators: Python's own TypeError names both types
    ("Value + str", lambda: Value(1.0) + "2", TypeError, "'Value' and 'str'"),
    ("None * Value", lambda: None * Value(1.0), TypeError, "'NoneType' and 'Value'"),
    ("Value - list", lambda: Value(1.0) - [1], TypeError, "'Value' and 'list'"),
    ("Value / complex", lambda: Value(1.0) / 1j, TypeError, "'Value' and 'complex'"),
    ("Value ** str", lambda: Value(1.0) ** "2", TypeError, "'Value' and 'str'"),
    ("str ** Value", lambda: "2" ** Value(1.0), TypeError, "'str' and 'Value'"),
    # Op
    ("Op(name=int)", lambda: Op(1, 1, abs, abs), TypeError, "Op name must be a str, got int"),
    ("Op(arity=3)", lambda: Op("f", 3, abs, abs), ValueError, "Op arity must be 1 or 2, got 3"),
    ("Op(forward=None)", lambda: Op("f", 1, None, abs), TypeError, "Op forward must be callable, got NoneType"),
    ("Op(local=str)", lambda: Op("f", 1, abs, "d"), TypeError, "Op local must be callable, constants or OTHER_INPUT"),
    ("Op(local=(1,))", lambda: Op("f", 1, abs, (1,)), TypeError, "Op local as constants must be 1 float(s), got (1,)"),
    ("Op(local=(1.0,))", lambda: Op("f", 2, abs, (1.0,)), TypeError, "Op local as constants must be 2 float(s)"),
    ("Op(1, OTHER_INPUT)", lambda: Op("f", 1, abs, OTHER_INPUT), ValueError, "Op local OTHER_INPUT needs 2 inputs"),
    ("Op(formula=1)", lambda: Op("f", 1, abs, abs, formula=1), TypeError, "Op formula must be a str or None, got int"),
    (
        "Op(local_text, 2 for 1)",
        lambda: Op("f", 1, abs, abs, local_text=("1", "2")),
        TypeError,
        "Op local_text must be a tuple of 1 str (one per input), got ('1', '2')",
    ),
    ("op(too many)", lambda: Op("f", 1, abs, abs)(1.0, 2.0), TypeError, "op 'f' takes 1 input(s), got 2"),
    ("op(str)", lambda: Op("f", 1, abs, abs)("x"), TypeError, "input of op 'f' must be a Value or a real number"),
    # nn
    ("Neuron(0)", lambda: Neuron(0), ValueError, "nin must be a positive int, got 0"),
    ("Neuron('3')", lambda: Neuron("3"), ValueError, "nin must be a positive int, got '3'"),
    ("Neuron(True)", lambda: Neuron(True), ValueError, "nin must be a positive int, got True"),
    ("Neuron(activation)", lambda: Neuron(2, activation="gelu"), ValueError, "activation must be one of"),
    ("Neuron(seed=str)", lambda: Neuron(2, seed="x"), TypeError, "seed must be an int, a random.Random or None"),
    ("Neuron(wrong length)", lambda: Neuron(2, seed=0)([1.0]), ValueError, "takes 2 inputs, got 1"),
    (
        "Neuron(str input)",
        lambda: Neuron(1, seed=0)(["a"]),
        TypeError,
        "Neuron input 0 must be a Value or a real number, got str",
    ),
    (
        "MLP(input=str)",
        lambda: MLP(2, [1], seed=0)("ab"),
        TypeError,
        "MLP input must be a list of Values or numbers, got str",
    ),
    (
        "Layer(input=None)",
        lambda: Layer(2, 2, seed=0)(None),
        TypeError,
        "Layer input must be a list of Values or numbers",
    ),
    ("Layer(nout=0)", lambda: Layer(2, 0), ValueError, "nout must be a positive int, got 0"),
    ("MLP(nouts=int)", lambda: MLP(2, 3), TypeError, "nouts must be a non-empty list of layer sizes, got 3"),
    ("MLP(nouts=[])", lambda: MLP(2, []), TypeError, "nouts must be a non-empty list of layer sizes"),
    ("MLP(nouts=str)", lambda: MLP(2, "44"), TypeError, "nouts must be a non-empty list of layer sizes"),
    ("MLP(nouts=[0])", lambda: MLP(2, [0]), ValueError, "nout must be a positive int, got 0"),
    ("Linear(0, 2)", lambda: Linear(0, 2), ValueError, "nin must be a positive int, got 0"),
    # draw_dot
    ("draw_dot(float)", lambda: draw_dot(1.0), TypeError, "Got a float (1.0): no .data"),
    ("draw_dot(rankdir)", lambda: draw_dot(Value(1.0), rankdir="XY"), ValueError, "rankdir must be one of"),
    ("draw_dot(format)", lambda: draw_dot(Value(1.0), format="exe"), ValueError, "format must be one of"),
    # traces and gradcheck
    ("backward_trace(float)", lambda: backward_trace(1.0), TypeError, "Got a float (1.0): no .data"),
    ("forward_trace(str)", lambda: forward_trace("x"), TypeError, "Got a str ('x'): no .data"),
    ("gradcheck(list)", lambda: gradcheck([Value(1.0)]), TypeError, "Got a list ([Value(data=1.0"),
    ("gradcheck(eps=0)", lambda: gradcheck(Value(1.0), eps=0), ValueError, "eps must be > 0"),
    ("gradcheck(eps=str)", lambda: gradcheck(Value(1.0), eps="small"), ValueError, "eps must be a finite number"),
    ("gradcheck(eps=nan)", lambda: gradcheck(Value(1.0), eps=math.nan), ValueError, "eps must be a finite number"),
    ("gradcheck(rtol<0)", lambda: gradcheck(Value(1.0), rtol=-1), ValueError, "rtol must be a finite number >= 0"),
    ("gradcheck(leaves)", lambda: gradcheck(Value(1.0) * 2, leaves=[Value(3.0)]), ValueError, "leaves must be leaf"),
    # GraphWidget and its options
    ("GraphWidget(float)", lambda: GraphWidget(2.0), TypeError, "Got a float (2.0): no .data"),
    ("GraphWidget(rankdir)", lambda: GraphWidget(neuron(), rankdir="up"), ValueError, "rankdir must be one of"),
    ("sliders=str", lambda: GraphWidget(neuron(), sliders="x1"), TypeError, "sliders must be a list of labels or"),
    ("sliders=int", lambda: GraphWidget(neuron(), sliders=3), TypeError, "sliders must be a list of labels or"),
    ("sliders=[unknown]", lambda: GraphWidget(neuron(), sliders=["zz"]), ValueError, "sliders: no leaf labelled 'zz'"),
    ("sliders=[interior]", lambda: GraphWidget(o := neuron(), sliders=[n_of(o)]), ValueError, "not a leaf"),
    ("sliders=[foreign]", lambda: GraphWidget(neuron(), sliders=[Value(1.0)]), ValueError, "is not in this graph"),
    ("sliders=[int]", lambda: GraphWidget(neuron(), sliders=[3]), TypeError, "a leaf is named by its label"),
    ("ranges=list", lambda: GraphWidget(neuron(), ranges=[1, 2]), TypeError, "ranges must map a label or Value"),
    ("ranges={x1: 3}", lambda: GraphWidget(neuron(), ranges={"x1": 3}), TypeError, "ranges['x1'] must be (min, max)"),
    ("ranges min>max", lambda: GraphWidget(neuron(), ranges={"x1": (3, 1)}), ValueError, "min must be below max"),
    ("ranges max=str", lambda: GraphWidget(neuron(), ranges={"x1": (0, "a")}), TypeError, "max must be a finite real"),
    ("ranges max=inf", lambda: GraphWidget(neuron(), ranges={"x1": (0, math.inf)}), TypeError, "max must be a finite"),
    ("ranges step=0", lambda: GraphWidget(neuron(), ranges={"x1": (0, 1, 0)}), ValueError, "step must be positive"),
    (
        "ranges, no slider",
        lambda: GraphWidget(neuron(), sliders=["x1"], ranges={"w1": (0, 1)}),
        ValueError,
        "has no slider",
    ),
    ("set(x1=str)", lambda: GraphWidget(neuron()).set(x1="2"), TypeError, "the value for 'x1' must be a finite real"),
    ("set(x1=nan)", lambda: GraphWidget(neuron()).set(x1=math.nan), TypeError, "the value for 'x1' must be a finite"),
    ("set(unknown)", lambda: GraphWidget(neuron()).set(zz=1.0), ValueError, "set: no leaf labelled 'zz'"),
    ("step=str", lambda: setattr(GraphWidget(neuron()), "step", "3"), Exception, "step"),
    ("mode=sideways", lambda: setattr(GraphWidget(neuron()), "mode", "sideways"), Exception, "mode"),
]


@pytest.mark.parametrize(("call", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_an_error_naming_the_problem(call, error, message: str) -> None:
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
