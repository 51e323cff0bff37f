"""Property test: result_type and the dtypes of + * / == equal torch's for random operand kinds."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import torch

import jtorch

DTYPES = "bool uint8 int8 int16 int32 int64 float16 float32 float64".split()
KINDS = ("nd", "0d", "scalar")


@st.composite
def operand(draw):
    """(kind, dtype name or Python type, value): a dimensioned tensor, a 0-d tensor, or a number."""
    kind = draw(st.sampled_from(KINDS))
    if kind == "scalar":
        return kind, draw(st.sampled_from([True, 2, -3, 2.5, -0.5]))
    return kind, draw(st.sampled_from(DTYPES))


def build(lib, spec):
    kind, what = spec
    if kind == "scalar":
        return what
    # NOTE: values 1 and 2 stay valid in every dtype and never divide by zero
    data = np.array([1, 2, 1]) if kind == "nd" else np.array(2)
    return lib.tensor(data.astype(what))


def outcome(fn):
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 - an error is an outcome to compare too
        return type(e).__name__
    return str(r.dtype if hasattr(r, "dtype") else r).replace("torch.", "")


@settings(max_examples=300)
@given(operand(), operand())
def test_binary_dtypes_match_torch(a, b):
    if a[0] == "scalar" and b[0] == "scalar":
        return
    ours = [build(jtorch, a), build(jtorch, b)]
    theirs = [build(torch, a), build(torch, b)]
    ops = {
        "result_type": lambda lib, x, y: lib.result_type(x, y),
        "add": lambda lib, x, y: x + y,
        "mul": lambda lib, x, y: x * y,
        "div": lambda lib, x, y: x / y,
        "eq": lambda lib, x, y: x == y,
    }
    for name, op in ops.items():
        expected = outcome(lambda op=op: op(torch, *theirs))
        got = outcome(lambda op=op: op(jtorch, *ours))
        assert got == expected, f"{name}({a}, {b}): jtorch {got}, torch {expected}"
