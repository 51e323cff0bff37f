"""Property tests: random shapes and index expressions give torch's values, shapes and grads."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import check


@st.composite
def indexed(draw):
    """``(shape, index)``: a shape and a valid index expression for it (ints, slices with steps,
    None, Ellipsis, True, int lists, bool masks; advanced parts that broadcast together)."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    ndim = len(shape)
    ellipsis = draw(st.booleans())
    front = draw(st.integers(0, ndim))
    back = draw(st.integers(0, ndim - front)) if ellipsis else 0
    dims = list(range(front)) + list(range(ndim - back, ndim))
    kinds = [draw(st.sampled_from(["int", "slice", "slice", "list", "mask"])) for _ in dims]
    if "mask" in kinds:  # one mask, no lists: the advanced parts then always broadcast
        first = kinds.index("mask")
        kinds = [
            k if k not in ("list", "mask") or i == first else "slice" for i, k in enumerate(kinds)
        ]
    length = draw(st.integers(1, 3))
    items = []
    for d, kind in zip(dims, kinds):
        n = shape[d]
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            items.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
        elif kind == "list":
            items.append(draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length)))
        else:
            items.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
    if ellipsis:
        items.insert(front, Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        extra = None if "mask" in kinds or not draw(st.booleans()) else True
        items.insert(draw(st.integers(0, len(items))), extra)
    index = tuple(items)
    if len(items) == 1 and not isinstance(items[0], list) and draw(st.booleans()):
        index = items[0]  # the non-tuple path
    return shape, index


def _data(shape):
    return np.random.default_rng(0).standard_normal(shape)


@settings(max_examples=60)
@given(indexed())
def test_getitem_matches_torch(case):
    shape, index = case
    check(lambda lib, x: x[index], _data(shape), gradcheck=False)


@settings(max_examples=40)
@given(indexed())
def test_setitem_matches_torch(case):
    shape, index = case

    def f(lib, x):
        y = x * 2
        y[index] = 0.5
        return y

    check(f, _data(shape), dtypes=("float64",), gradcheck=False)
