"""biject_to / transform_to and the structural transforms (CorrCholesky, Cat, Stack)."""

import pytest
from conftest import torch_oracle
from oracle import check, randn

import jtorch

torch = torch_oracle()

CONSTRAINTS = [
    "C.real",
    "C.positive",
    "C.nonnegative",
    "C.greater_than(1.5)",
    "C.greater_than_eq(-1.0)",
    "C.less_than(2.0)",
    "C.unit_interval",
    "C.interval(-2.0, 3.0)",
    "C.half_open_interval(0.0, 2.0)",
    "C.simplex",
    "C.real_vector",
    "C.independent(C.positive, 1)",
    "C.lower_cholesky",
    "C.positive_definite",
    "C.corr_cholesky",
    "C.cat([C.positive, C.real], 1, [1, 2])",
    "C.stack([C.positive, C.unit_interval, C.real], 1)",
]
SHAPES = {"C.lower_cholesky": (2, 3, 3), "C.positive_definite": (2, 3, 3)}


def _registry(lib, which, code):
    D = lib.distributions
    return getattr(D, which)(eval(code, {"C": D.constraints}))


@pytest.mark.parametrize("which", ["biject_to", "transform_to"])
@pytest.mark.parametrize("code", CONSTRAINTS)
def test_registry(which, code):
    try:
        theirs = _registry(torch, which, code)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            _registry(jtorch, which, code)
        return
    ours = _registry(jtorch, which, code)
    assert repr(ours) == repr(theirs)
    shape = SHAPES.get(code, (2, 3))

    def fn(lib, x):
        t = _registry(lib, which, code)
        y = t(x)
        out = [y, t.inv(y)]
        if t.bijective and code not in ("C.lower_cholesky", "C.positive_definite"):
            out.append(t.log_abs_det_jacobian(x, y))
        return out

    check(fn, randn(*shape) * 0.5)
    assert bool(
        eval(code, {"C": jtorch.distributions.constraints}).check(ours(jtorch.randn(*shape))).all()
    )


def test_register_custom():
    D = jtorch.distributions
    registry = D.constraint_registry.ConstraintRegistry()

    @registry.register(D.constraints.positive)
    def _softplus(constraint):
        return D.transforms.SoftplusTransform()

    assert isinstance(registry(D.constraints.positive), D.transforms.SoftplusTransform)
    with pytest.raises(NotImplementedError, match="Cannot transform _Real constraints"):
        registry(D.constraints.real)
    with pytest.raises(TypeError, match="Expected constraint"):
        registry.register(3, _softplus)


def test_corr_cholesky_transform():
    def fn(lib, x):
        t = lib.distributions.transforms.CorrCholeskyTransform()
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y), t.forward_shape(x.shape)

    check(fn, randn(2, 6))
    with pytest.raises(ValueError, match="flattened lower-diagonal"):
        jtorch.distributions.transforms.CorrCholeskyTransform().forward_shape((4,))


def test_cat_and_stack_transforms():
    def fn(lib, x):
        T = lib.distributions.transforms
        cat = T.CatTransform([T.ExpTransform(), T.identity_transform], dim=1, lengths=[1, 2])
        stack = T.StackTransform([T.ExpTransform(), T.SigmoidTransform(), T.TanhTransform()], 1)
        y, z = cat(x), stack(x)
        return (
            y, cat.inv(y), cat.log_abs_det_jacobian(x, y),
            z, stack.inv(z), stack.log_abs_det_jacobian(x, z),
        )  # fmt: skip

    check(fn, randn(4, 3))
    T = jtorch.distributions.transforms
    with pytest.raises(AssertionError, match="must equal length 3"):
        T.CatTransform([T.ExpTransform(), T.ExpTransform()], 1, [1, 2])(jtorch.zeros(2, 4))
    with pytest.raises(AssertionError, match=r"x.size\(0\) = 2 must equal len\(transforms\) 3"):
        T.StackTransform([T.ExpTransform()] * 3)(jtorch.zeros(2))
