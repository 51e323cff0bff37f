"""The differential harness: run one lambda on jtorch and on torch 2.13 and compare everything.

``check(fn, *inputs)`` builds a jtorch and a torch tensor from each NumPy input, runs
``fn(lib, *tensors)`` with ``lib`` = ``jtorch`` and ``torch``, and compares the outputs' values,
dtypes and shapes; then it backpropagates the same random cotangents through both and compares
the gradients of every floating input; for float64 inputs it also runs jtorch's numerical
``gradcheck``. Every op test goes through here, so a single place defines what "matches torch"
means.

    check(lambda lib, x, y: lib.add(x, y, alpha=2), randn(2, 3), randn(3))
    check(lambda lib, x: x.sum(dim=1, keepdim=True), randn(2, 3), dtypes=("float32", "float64"))
"""

from __future__ import annotations

import numpy as np
from conftest import torch_oracle

import jtorch

torch = torch_oracle()

FLOAT_DTYPES = ("float32", "float64")
_TOL = {"float16": (1e-2, 1e-2), "float32": (1e-5, 1e-4), "float64": (1e-10, 1e-8)}
_TOL.update(complex64=_TOL["float32"], complex128=_TOL["float64"])


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def randn(*shape, seed: int = 0, dtype="float64") -> np.ndarray:
    """Standard normal test data (float64 unless ``dtype``; check() casts per run)."""
    return rng(seed).standard_normal(shape).astype(dtype)


def rand(*shape, low=0.0, high=1.0, seed: int = 0, dtype="float64") -> np.ndarray:
    return rng(seed).uniform(low, high, shape).astype(dtype)


def randint(low: int, high: int, *shape, seed: int = 0, dtype="int64") -> np.ndarray:
    return rng(seed).integers(low, high, shape).astype(dtype)


def to_numpy(x):
    """Any result (jtorch/torch tensor, number, nested tuple) as NumPy / Python data."""
    if isinstance(x, jtorch.Tensor):
        return x.detach().numpy()
    if isinstance(x, torch.Tensor):  # torch refuses .numpy() of a lazily conjugated tensor
        return x.detach().resolve_conj().resolve_neg().numpy()
    if isinstance(x, (tuple, list)):
        return type(x)(to_numpy(v) for v in x)
    return x


def dtype_name(d) -> str:
    return str(d).replace("torch.", "")


def assert_same(ours, theirs, atol: float, rtol: float, what: str = "output") -> None:
    """Values, dtype and shape of a jtorch result equal torch's (recursing into tuples)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{what}: expected a sequence, got {type(ours)}"
        assert len(ours) == len(theirs), f"{what}: {len(ours)} results, torch has {len(theirs)}"
        if type(theirs).__module__ == "torch.return_types":
            assert type(ours).__name__ == type(theirs).__name__, f"{what}: return type differs"
            assert repr(type(ours)).count("return_types"), f"{what}: not a torch.return_types"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, atol, rtol, f"{what}[{i}]")
        return
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, jtorch.Tensor), f"{what}: expected a Tensor, got {type(ours)}"
        assert dtype_name(ours.dtype) == dtype_name(theirs.dtype), (
            f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
        )
        assert tuple(ours.shape) == tuple(theirs.shape), (
            f"{what}: shape {tuple(ours.shape)} != torch's {tuple(theirs.shape)}"
        )
        a, b = to_numpy(ours), to_numpy(theirs)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(a, b, err_msg=what)
        return
    assert ours == theirs or (ours != ours and theirs != theirs), f"{what}: {ours!r} != {theirs!r}"


def _make(lib, x, dtype, requires_grad: bool):
    if not isinstance(x, np.ndarray):
        return x
    arr = x.astype(dtype) if (dtype and x.dtype.kind == "f") else x
    t = lib.tensor(arr)
    if requires_grad and t.dtype.is_floating_point or requires_grad and t.dtype.is_complex:
        t.requires_grad_(True)
    return t


def _outputs(result) -> list:
    if isinstance(result, (tuple, list)):
        return [r for r in result for r in _outputs(r)]
    return [result] if hasattr(result, "requires_grad") else []


def check(
    fn,
    *inputs,
    dtypes=FLOAT_DTYPES,
    grad: bool = True,
    gradcheck: bool = True,
    atol: float | None = None,
    rtol: float | None = None,
    seed: int = 1,
) -> None:
    """Compare ``fn(jtorch, *inputs)`` with ``fn(torch, *inputs)``: values, dtypes, shapes, grads.

    ``inputs`` are NumPy arrays (floating ones are cast to each of ``dtypes``; others kept) or
    plain Python values passed through unchanged.
    """
    for dtype in (
        dtypes
        if any(isinstance(x, np.ndarray) and x.dtype.kind == "f" for x in inputs)
        else (None,)
    ):
        a_tol, r_tol = _TOL.get(dtype or "float64")
        a_tol, r_tol = atol if atol is not None else a_tol, rtol if rtol is not None else r_tol
        ours_in = [_make(jtorch, x, dtype, grad) for x in inputs]
        theirs_in = [_make(torch, x, dtype, grad) for x in inputs]
        ours, theirs = fn(jtorch, *ours_in), fn(torch, *theirs_in)
        assert_same(ours, theirs, a_tol, r_tol, f"{dtype} output")
        if not grad:
            continue
        _check_grads(ours, theirs, ours_in, theirs_in, a_tol, r_tol, dtype, seed)
        if gradcheck and dtype == "float64":
            _gradcheck(fn, ours_in)


def _check_grads(ours, theirs, ours_in, theirs_in, atol, rtol, dtype, seed) -> None:
    t_outs = [o for o in _outputs(theirs) if o.requires_grad]
    o_outs = _outputs(ours)
    o_outs = [o for o, t in zip(o_outs, _outputs(theirs)) if t.requires_grad]
    assert len(o_outs) == len(t_outs)
    for o, t in zip(o_outs, t_outs):
        assert o.requires_grad, f"output should require grad (torch's grad_fn: {t.grad_fn})"
    t_leaves = [t for t in theirs_in if isinstance(t, torch.Tensor) and t.requires_grad]
    o_leaves = [t for t in ours_in if isinstance(t, jtorch.Tensor) and t.requires_grad]
    if not t_outs or not t_leaves:
        return
    r = rng(seed)
    cot = [r.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype) for t in t_outs]
    t_grads = torch.autograd.grad(
        t_outs, t_leaves, [torch.tensor(c) for c in cot], allow_unused=True
    )
    o_grads = jtorch.autograd.grad(
        o_outs, o_leaves, [jtorch.tensor(c) for c in cot], allow_unused=True
    )
    for i, (og, tg) in enumerate(zip(o_grads, t_grads)):
        if tg is None:
            assert og is None or not np.any(to_numpy(og)), f"grad {i}: torch has none"
            continue
        assert og is not None, f"{dtype} grad of input {i} is None, torch has one"
        assert_same(og, tg, atol, rtol, f"{dtype} grad of input {i}")


def _gradcheck(fn, ours_in) -> None:
    gradcheck = getattr(jtorch.autograd, "gradcheck", None)
    leaves = [t for t in ours_in if isinstance(t, jtorch.Tensor) and t.requires_grad]
    if gradcheck is None or not leaves:
        return

    def only_leaves(*leaf_values):
        it = iter(leaf_values)
        args = [
            next(it) if (isinstance(t, jtorch.Tensor) and t.requires_grad) else t for t in ours_in
        ]
        out = fn(jtorch, *args)
        return tuple(o for o in _outputs(out) if o.requires_grad)

    assert gradcheck(only_leaves, tuple(t.detach().requires_grad_(True) for t in leaves))


def check_error(fn, *inputs, match: str | None = None) -> None:
    """Both libraries raise the same exception type (and jtorch's message matches ``match``)."""
    import pytest  # noqa: PLC0415

    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.tensor(x) if isinstance(x, np.ndarray) else x for x in inputs])
    # torch's own exception classes (torch._C._LinAlgError, ...) are matched by name and by the
    # built-in class they derive from.
    expected = next(c for c in theirs.type.__mro__ if c.__module__ == "builtins")
    with pytest.raises(expected, match=match) as ours:
        fn(jtorch, *[jtorch.tensor(x) if isinstance(x, np.ndarray) else x for x in inputs])
    assert type(ours.value).__name__.lstrip("_") == theirs.type.__name__.lstrip("_")
    if match is None:  # the message too: torch's first line starts with jtorch's
        mine = str(ours.value).splitlines()[0] if str(ours.value) else ""
        assert mine and str(theirs.value).splitlines()[0].startswith(mine), (
            f"message differs:\n jtorch: {ours.value}\n torch:  {theirs.value}"
        )
