"""Element-wise math against torch: values, dtypes, gradients, integer inputs, out=, in-place."""

import warnings

import numpy as np
import pytest
from oracle import check, check_error, rand, randn, rng, torch

import jtorch

X = randn(2, 3)
POS = rand(2, 3, low=0.5, high=2.0)
UNIT = rand(2, 3, low=-0.9, high=0.9)
PROB = rand(2, 3, low=0.05, high=0.95)
INTS = np.array([[-3, 0, 2], [5, -1, 7]], dtype=np.int64)
BOOLS = np.array([True, False, True])

UNARY = {
    "abs": X,
    "absolute": X,
    "sign": X,
    "sgn": X,
    "square": X,
    "rsqrt": POS,
    "exp2": X,
    "expm1": X,
    "log2": POS,
    "log10": POS,
    "log1p": POS,
    "sin": X,
    "cos": X,
    "tan": UNIT,
    "asin": UNIT,
    "arcsin": UNIT,
    "acos": UNIT,
    "arccos": UNIT,
    "atan": X,
    "arctan": X,
    "sinh": X,
    "cosh": X,
    "asinh": X,
    "arcsinh": X,
    "acosh": POS + 1,
    "arccosh": POS + 1,
    "atanh": UNIT,
    "arctanh": UNIT,
    "erf": X * 2,
    "erfc": X * 2,
    "erfinv": UNIT,
    "reciprocal": POS,
    "floor": X * 3,
    "ceil": X * 3,
    "trunc": X * 3,
    "fix": X * 3,
    "round": X * 3,
    "frac": X * 3,
    "relu": X,
    "angle": X,
    "logit": PROB,
    "nan_to_num": X,
    "positive": X,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    # NOTE: torch's sgn gradient is a ZeroTensor that cannot be compared; sgn(x) * x checks it.
    grad = name != "sgn"
    check(lambda lib, x: getattr(lib, name)(x), UNARY[name], grad=grad)
    check(lambda lib, x: getattr(x * 1, name)(), UNARY[name], grad=grad)


# NOTE: torch has no derivative for in-place asinh/acosh/atanh, no relu(out=), no angle_.
NO_INPLACE_GRAD = {"sgn", "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh"}


@pytest.mark.parametrize("name", sorted(set(UNARY) - {"positive", "angle"}))
def test_unary_inplace(name):
    check(
        lambda lib, x: getattr(x * 1, name + "_")(), UNARY[name], grad=name not in NO_INPLACE_GRAD
    )


@pytest.mark.parametrize("name", sorted(set(UNARY) - {"positive", "relu"}))
def test_unary_out(name):
    check(
        lambda lib, x: getattr(lib, name)(x, out=lib.empty(0, dtype=x.dtype)),
        UNARY[name],
        grad=False,
    )


# NOTE: relu (ops.nn) does not refuse bool inputs yet.
@pytest.mark.parametrize("name", sorted(set(UNARY) - {"relu"}))
@pytest.mark.parametrize("data", [INTS, BOOLS], ids=["int64", "bool"])
def test_unary_integer_dtypes(name, data):
    try:
        getattr(torch, name)(torch.tensor(data))
    except (RuntimeError, NotImplementedError):  # torch refuses this dtype: so must jtorch
        check_error(lambda lib, x: getattr(lib, name)(x), data)
        return
    # NOTE: float results of integer inputs are float32: compare with check's float32 tolerance
    check(lambda lib, x: getattr(lib, name)(x), data, grad=False, atol=1e-5, rtol=1e-4)


def test_unary_special_values():
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 30.0, -30.0])
    for name in ("erf", "erfc", "sign", "angle", "nan_to_num", "relu", "frac", "round"):
        check(lambda lib, x, name=name: getattr(lib, name)(x), special, grad=False)
    check(lambda lib, x: lib.erfinv(x), np.array([1.0, -1.0, 0.0, 0.999, -0.5]), grad=False)
    check(lambda lib, x: lib.erfc(x), np.linspace(-6, 27, 67), grad=False)
    check(lambda lib, x: lib.erf(x), np.linspace(-7, 7, 141))
    # NOTE: torch's relu and clamp keep a -0.0 at a 0 bound; the large copy takes the threaded path
    for x in (special, np.tile(special, 40_000)):
        for clamp in (
            lambda lib, x: lib.relu(x),
            lambda lib, x: lib.clamp(x, min=0.0),
            lambda lib, x: lib.clamp(x, -0.0, 0.0),
            lambda lib, x: lib.nn.functional.relu6(x),
        ):
            check(lambda lib, x, clamp=clamp: lib.signbit(clamp(lib, x)), x, grad=False)
    signed = np.array([-3.0, 3.0, -6.0, 0.0, -0.0, 5.5, -5.5, 1e20])
    for rhs in (3.0, -3.0, 2.0):
        check(lambda lib, x, rhs=rhs: lib.signbit(lib.remainder(x, rhs)), signed, grad=False)
        check(lambda lib, x, rhs=rhs: lib.signbit(lib.fmod(x, rhs)), signed, grad=False)


def _specials(lib, x):
    """``x`` with its large elements replaced by inf, -inf and NaN (constants: no gradient)."""
    x = lib.where(x > 0.5, float("inf"), x)
    return lib.where(x < -1.0, float("-inf"), lib.where(x < -0.3, float("nan"), x))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.round(x, decimals=2),
        lambda lib, x: x.round(decimals=-1),
        lambda lib, x: lib.logit(x, eps=0.2),
        lambda lib, x: lib.logit(x, 0.2),
        lambda lib, x: lib.nan_to_num(_specials(lib, x), nan=1.0, posinf=2.0, neginf=-3.0),
        lambda lib, x: lib.nan_to_num(_specials(lib, x)),
        lambda lib, x: lib.clamp(x, -0.5, 0.5),
        lambda lib, x: lib.clamp(x, min=0.1),
        lambda lib, x: lib.clamp(x, max=0.1),
        lambda lib, x: lib.clip(x, 0.5, -0.5),
        lambda lib, x: x.clamp_min(0.1),
        lambda lib, x: x.clamp_max(0.1),
        lambda lib, x: x.clamp(-0.5, 0.5).clamp_(min=0),
        lambda lib, x: lib.where(x > 0, x, 0.5),
        lambda lib, x: lib.where(x > 0, 2, x),
        lambda lib, x: x.relu(),
        lambda lib, x: lib.float_power(x, 2),
        lambda lib, x: lib.float_power(2, x),
        lambda lib, x: lib.fmod(x * 3, 1.5),
        lambda lib, x: lib.remainder(x * 3, 1.5),
        lambda lib, x: x % 0.7,
        lambda lib, x: lib.lerp(x, x * 2 + 1, 0.3),
        lambda lib, x: lib.lerp(x, x * 2 + 1, 0.7),
        lambda lib, x: x.square(),
        lambda lib, x: x.sgn() * x,
        lambda lib, x: +x,
        lambda lib, x: abs(x),
    ],
)
def test_unary_with_arguments(fn):
    check(fn, X)


def test_scalar_dividend():
    # NOTE: torch has no derivative for remainder(Scalar, Tensor)
    check(lambda lib, x: lib.remainder(2.5, x), X, grad=False)
    check(lambda lib, x: 2.5 % x, X, grad=False)
    check(lambda lib, x: 2.5 // x, X, grad=False)


Y = randn(3, seed=2)
YPOS = rand(3, low=0.5, high=2.0, seed=2)


@pytest.mark.parametrize(
    "fn,x,y",
    [
        (lambda lib, x, y: lib.atan2(x, y), X, Y),
        (lambda lib, x, y: lib.arctan2(y, x), X, Y),
        (lambda lib, x, y: lib.hypot(x, y), X, Y),
        (lambda lib, x, y: lib.fmod(x, y), X * 3, YPOS),
        (lambda lib, x, y: lib.remainder(x, y), X * 3, YPOS),
        (lambda lib, x, y: lib.maximum(x, y), X, Y),
        (lambda lib, x, y: lib.minimum(x, y), X, Y),
        (lambda lib, x, y: lib.maximum(x, y.round()), X.round(), Y),
        (lambda lib, x, y: lib.minimum(x.round(), y.round()), X, Y),
        (lambda lib, x, y: lib.fmax(x, y), X, Y),
        (lambda lib, x, y: lib.fmin(x, y), X, Y),
        (lambda lib, x, y: lib.fmax(x, lib.where(y > 0, y, float("nan"))), X, Y),
        (lambda lib, x, y: lib.fmin(lib.where(x > 0, x, float("nan")), y), X, Y),
        (lambda lib, x, y: lib.lerp(x, y, 0.25), X, Y),
        (lambda lib, x, y: lib.lerp(x, y, y.sigmoid()), X, Y),
        (lambda lib, x, y: lib.lerp(y, x, x), X, Y),
        (lambda lib, x, y: lib.clamp(x, y, y + 1), X, Y),
        (lambda lib, x, y: lib.clamp(x, y + 1, y), X, Y),
        (lambda lib, x, y: lib.clamp(x, min=y), X, Y),
        (lambda lib, x, y: lib.clamp(x, max=y), X, Y),
        (lambda lib, x, y: lib.clamp_min(x, y), X, Y),
        (lambda lib, x, y: lib.clamp_max(x, y), X, Y),
        (lambda lib, x, y: lib.where(x > y, x, y), X, Y),
        (lambda lib, x, y: lib.where(y > 0, x, y.exp()), X, Y),
        (lambda lib, x, y: lib.float_power(x.abs(), y), X, Y),
        (lambda lib, x, y: lib.pow(x.abs(), y), X, Y),
        (lambda lib, x, y: lib.pow(x * 0, y.abs() + 1), X, Y),
        (lambda lib, x, y: x.atan2_(y) if not x.requires_grad else (x * 1).atan2_(y), X, Y),
        (lambda lib, x, y: (x * 1).lerp_(y, 0.5), X, Y),
        (lambda lib, x, y: (x * 1).hypot_(y), X, Y),
        (lambda lib, x, y: (x * 1).fmod_(y), X, YPOS),
        (lambda lib, x, y: (x * 1).clamp_(y - 1, y), X, Y),
    ],
)
def test_binary(fn, x, y):
    check(fn, x, y)


def test_complex_parts():
    check(lambda lib, x, y: lib.complex(x, y).abs(), X, Y)
    check(lambda lib, x, y: (lib.complex(x, y) * lib.complex(y, x)).real, X, Y)
    check(lambda lib, x, y: lib.complex(x, y).imag * 2, X, Y)
    check(lambda lib, x, y: lib.real(lib.polar(x.abs(), y)), X, Y)
    check(lambda lib, x, y: lib.polar(x.abs(), y).imag, X, Y)
    check(lambda lib, x, y: lib.angle(lib.complex(x, y)), X, Y)
    check(lambda lib, x, y: lib.sgn(lib.complex(x, y)), X, Y, grad=False)
    check(lambda lib, x: x.real, X)
    check_error(lambda lib, x: x.imag, X, match="non-complex")
    check_error(lambda lib, x, y: lib.complex(x, y), INTS, INTS, match="Half, Float or Double")
    check_error(
        lambda lib, x, y: lib.complex(x, y.double()), X.astype("float32"), X, match="scalar type"
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: lib.fmod(x, 2),
        lambda lib, x, y: lib.fmod(x, 1.5),
        lambda lib, x, y: lib.fmod(x, y),
        lambda lib, x, y: lib.remainder(x, y),
        lambda lib, x, y: lib.remainder(-7, y),
        lambda lib, x, y: x // y,
        lambda lib, x, y: x // 2.5,
        lambda lib, x, y: -7 // y,
        lambda lib, x, y: x % y,
        lambda lib, x, y: lib.floor_divide(x, True),
        lambda lib, x, y: lib.clamp(x, 0, 3),
        lambda lib, x, y: lib.clamp(x, 0.5),
        lambda lib, x, y: lib.clamp(x, max=lib.tensor(1.5)),
        lambda lib, x, y: lib.clamp_min(x, y),
        lambda lib, x, y: lib.maximum(x, y),
        lambda lib, x, y: lib.minimum(x, y.double()),
        lambda lib, x, y: lib.fmax(x, y),
        lambda lib, x, y: lib.fmin(x, y),
        lambda lib, x, y: lib.atan2(x, y),
        lambda lib, x, y: lib.float_power(x, y),
        lambda lib, x, y: lib.float_power(x, 2),
        lambda lib, x, y: lib.where(x > 0, x, 2.5),
        lambda lib, x, y: lib.where(x > 0, 1, 2),
        lambda lib, x, y: lib.where(x > 0, 1, 2.5),
        lambda lib, x, y: lib.where(x > 0),
        lambda lib, x, y: lib.where(x > 0, x, y.double()),
        lambda lib, x, y: lib.square(x > 0),
        lambda lib, x, y: lib.clamp(x > 0, 0, 1),
        lambda lib, x, y: x**2,
        lambda lib, x, y: 2**y,
    ],
)
def test_integer_operands(fn):
    check(fn, INTS, np.array([2, 3, 1], dtype=np.int64), grad=False, atol=1e-5, rtol=1e-4)
    check(
        fn,
        INTS.astype(np.int32),
        np.array([2, 3, 1], dtype=np.int16),
        grad=False,
        atol=1e-5,
        rtol=1e-4,
    )


def test_grad_fn_names():
    x = jtorch.randn(3, requires_grad=True) if hasattr(jtorch, "randn") else None
    x = jtorch.tensor([0.5, 0.2, 0.9], requires_grad=True)
    t = jtorch.tensor([0.1, 0.3, 0.4], requires_grad=True)
    names = {
        "ClampBackward1": x.clamp(0.1, 0.5),
        "ClampBackward0": x.clamp(min=t),
        "ClampMinBackward0": x.clamp_min(0.1),
        "ClampMaxBackward0": x.clamp_max(0.1),
        "ClampMinBackward1": x.clamp_min(t),
        "ClampMaxBackward1": x.clamp_max(t),
        "PowBackward0": x.square(),
        "Log1PBackward0": x.log1p(),
        "RoundBackward1": x.round(decimals=1),
        "FmodBackward0": x.fmod(2),
        "FmodBackward1": x.fmod(t),
        "RemainderBackward0": x.remainder(2),
        "RemainderBackward1": x.remainder(t),
        "LerpBackward0": x.lerp(t, 0.5),
        "LerpBackward1": x.lerp(t, t),
        "TruncBackward0": x.fix(),
        "WhereBackward0": jtorch.where(x > 0.3, x, 0.0),
        "SelectBackward0": jtorch.complex(x, t).real,
        "NotImplemented": x // 2,
    }
    for name, y in names.items():
        assert type(y.grad_fn).__name__ == name
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        (x // 2).sum().backward()


def test_inplace_dtype_rules():
    check_error(lambda lib, x: x.sin_(), INTS, match="result type Float can't be cast")
    check_error(lambda lib, x: x.clamp_(0.5), INTS, match="can't be cast")
    check_error(lambda lib, x: x.float_power_(2), X.astype("float32"), match="float_power_")
    check(lambda lib, x: x.float_power_(2), X.copy(), grad=False, dtypes=("float64",))
    check(lambda lib, x: x.abs_(), INTS.copy(), grad=False)
    check(lambda lib, x: x.clamp_(0, 2), INTS.copy(), grad=False)
    check(lambda lib, x: x.floor_divide_(2), INTS.copy(), grad=False)
    check(lambda lib, x: x.remainder_(3), INTS.copy(), grad=False)

    def operators(lib, x):
        x //= 2
        x %= 5
        x *= 3
        return x

    check(operators, INTS.copy(), grad=False)


def test_out_with_broadcast_and_dtype():
    check(lambda lib, x, y: lib.maximum(x, y, out=lib.empty(2, 3, dtype=x.dtype)), X, Y, grad=False)
    check(lambda lib, x, y: lib.add(x, y, out=lib.empty(2, 3, dtype=lib.float64)), X, Y, grad=False)
    check(
        lambda lib, x, y: lib.where(x > 0, x, y, out=lib.empty(2, 3, dtype=x.dtype)),
        X,
        Y,
        grad=False,
    )
    check(lambda lib, x: lib.clamp(x, 0, 1, out=lib.empty(2, 3, dtype=x.dtype)), X, grad=False)
    check(
        lambda lib, x, y: lib.add(other=y, input=x, alpha=2, out=lib.empty(0, dtype=x.dtype)),
        X,
        Y,
        grad=False,
    )


@pytest.mark.parametrize(
    "fn,inputs,match",
    [
        (lambda lib, x: lib.clamp(x), (X,), "At least one of 'min' or 'max'"),
        (lambda lib, x: lib.atan2(x, 2), (X,), "must be Tensor"),
        (lambda lib, x: lib.maximum(x, 2), (X,), "must be Tensor"),
        (lambda lib, x: lib.hypot(x, x), (INTS,), "hypot_cpu"),
        (lambda lib, x: lib.fmod(x, 0), (INTS,), "ZeroDivisionError"),
        (lambda lib, x: lib.remainder(x, x * 0), (INTS,), "ZeroDivisionError"),
        (lambda lib, x: x // 0, (INTS,), "ZeroDivisionError"),
        (
            lambda lib, x: lib.where(x, x, x),
            (INTS,),
            "boolean tensor, but got a tensor with dtype Long",
        ),
        (lambda lib, x: lib.lerp(x, x, 0.5), (INTS,), "lerp_kernel_scalar"),
        (
            lambda lib, x: lib.lerp(x.float(), x.double(), 0.5),
            (X,),
            "expected dtype float for `end`",
        ),
        (lambda lib, x: lib.round(x, decimals=1), (INTS,), "round_cpu"),
        (lambda lib, x: lib.frac(x), (INTS,), "frac_cpu"),
        (lambda lib, x: +(x > 0), (X,), r"The `\+` operator"),
        (lambda lib, x: -(x > 0), (X,), "Negation"),
        (
            lambda lib, x: lib.maximum(x, x),
            (X.astype(np.complex128),),
            "not implemented for complex",
        ),
        (lambda lib, x: x.exp_(), (INTS,), "can't be cast"),
        (lambda lib, x: x + x[0, :2], (X,), "must match the size"),
        (
            lambda lib, x: lib.add(x, other=x.requires_grad_(), out=lib.empty(2, 3)),
            (X,),
            r"add\(\): functions with out=\.\.\. arguments don't support automatic",
        ),
        (lambda lib, x: lib.where(x > 0, x, x[:, :2]), (X,), "must match the size"),
    ],
)
def test_errors(fn, inputs, match):
    check_error(fn, *inputs, match=match)


def test_grad_of_pow_at_zero_uses_where():
    x = jtorch.tensor([0.0, 2.0], requires_grad=True)
    e = jtorch.tensor([2.0, 3.0], requires_grad=True)
    (x**e).sum().backward()
    assert e.grad.tolist() == pytest.approx([0.0, 8.0 * np.log(2.0)])


def test_double_backward():
    check(
        lambda lib, x: lib.autograd.grad(x.sin().sum() * x.erf().sum(), x, create_graph=True)[0], X
    )
    check(
        lambda lib, x: lib.autograd.grad(x.atan().mul(x.cosh()).sum(), x, create_graph=True)[0], X
    )


def test_scalar_tensor_shapes():
    check(lambda lib, x: lib.where(x > 0, x, 1.0), np.array(0.5))
    check(lambda lib, x, y: lib.maximum(x, y), np.array(0.5), Y)
    check(lambda lib, x, y: lib.lerp(x, y, 0.3), np.array(0.5), Y)
    check(lambda lib, x: lib.clamp(x, 0.0, 0.2), np.array(0.5))
    check(lambda lib, x: lib.clamp(x, lib.tensor(0.0), 1.0), X)
    check_error(lambda lib, x, y: lib.clamp(x, y, 1.0), X, Y, match="invalid combination")


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.complex64, np.int64, np.uint8, bool])
def test_unrecorded_arithmetic_of_plain_tensors_matches_torch(op, dtype):
    """Same-dtype, same-shape tensors outside autograd take the fast path (0-d ones too)."""
    r = rng(3)
    for shape in ((), (3, 4)):
        a = np.asarray(r.standard_normal(shape) * 50).astype(dtype)
        b = np.asarray(r.standard_normal(shape) * 50 + 1).astype(dtype)
        if dtype is bool and op == "sub":
            check_error(lambda lib, x, y: lib.sub(x, y), a, b)
            continue
        check(lambda lib, x, y: getattr(lib, op)(x, y), a, b, grad=False)
        check(lambda lib, x, y: getattr(x, f"__{'truediv' if op == 'div' else op}__")(y), a, b,
              grad=False)  # fmt: skip


def test_unrecorded_arithmetic_is_seen_by_tracers():
    from jtorch.autograd.function import intercepted_apply

    seen: list = []

    def wrap(apply):
        return lambda cls, *a, **k: seen.append(cls.__name__) or apply(cls, *a, **k)

    x = jtorch.ones(3)
    with intercepted_apply(wrap):
        _ = (x + x, x - x, x * x, x / x)
    assert seen == ["Add", "Sub", "Mul", "Div"]
    _ = x + x
    assert len(seen) == 4


def test_sub_of_bools_and_arithmetic_of_two_numbers_match_torch():
    for args in ((np.array([1, 2]), True), (True, np.array([1, 2])), (np.array([True]), 1.5)):
        check_error(lambda lib, x, y: lib.sub(x, y), *args)
    check_error(lambda lib, x, y: x - y, np.array([True]), np.array([1.5]))
    for op in ("add", "sub", "mul", "div"):
        for x, y in ((1.0, 2.0), (1, 2), (3, 2.5), (1j, 1), (np.float32(1.5), np.float32(2))):
            check(lambda lib, x=x, y=y, op=op: getattr(lib, op)(x, y), grad=False)


def test_sigmoid_saturates_like_torch_without_warnings():
    x = np.array([-1e4, -100.0, -88.8, -20.0, -1e-8, -0.0, 0.0, 3.0, 89.0, 1e4, np.inf, -np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(lambda lib, x: lib.sigmoid(x), np.append(x, np.nan), grad=False)


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.float16, np.int8, np.int64, np.bool_, np.complex64]
)
def test_backend_where_selects_the_bits_numpy_where_does(dtype):
    """The bitwise select behind large where()s: NaN payloads, signed zeros, broadcasting."""
    from jtorch.backend import where as select

    r = rng(4)
    x = (r.standard_normal((64, 128)) * 10).astype(dtype)
    y = (r.standard_normal((64, 128)) * 10).astype(dtype)
    if np.dtype(dtype).kind == "f":
        x.flat[::11], x.flat[::13] = np.nan, -0.0
    c = r.random((64, 128)) > 0.5
    scalars = ((c, x, 2.5), (c, -1, y)) if np.dtype(dtype).kind in "fc" else ()
    for args in (
        (c, x, y),
        (c[:1], x, y),
        (c, x[0], y),
        (c, x, y[:, :1]),
        (c, x, y.flat[0]),
    ) + scalars:
        got, want = select(*args), np.where(*args)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize("name, ulps", [("erf", 4), ("erfc", 8), ("expm1", 5)])
def test_float32_erf_and_erfc_are_within_a_few_ulps(name, ulps):
    """The float32 paths (a series below 0.5, exp or fitted erfc above) against libm."""
    import math

    top = 80 if name == "expm1" else 11
    x = np.concatenate([np.linspace(-top, top, 20001), np.logspace(-30, 1, 500)]).astype("float32")
    x = np.concatenate([x, -x[-500:], [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = getattr(jtorch, name)(jtorch.tensor(x)).numpy().astype("float64")
    want = np.array([getattr(math, name)(float(v)) for v in x])
    normal = np.isfinite(want) & (np.abs(want) > np.finfo(np.float32).tiny)
    ulp = np.spacing(np.abs(want[normal]).astype("float32")).astype("float64")
    assert (np.abs(got[normal] - want[normal]) / ulp).max() <= ulps
    assert (got[np.isinf(want)] == want[np.isinf(want)]).all()
    tiny = ~normal & np.isfinite(want)  # zeros, infinities' limits and float32 denormals
    assert np.isnan(got[-1]) and np.abs(got[tiny] - want[tiny]).max() < 1e-43
    assert np.signbit(got[x.size - 4]) == (name != "erfc")  # erf(-0.0) is -0.0, so expm1's


@pytest.mark.parametrize("dtype, ulps", [("float32", 5), ("float64", 3)])
def test_softplus_is_within_a_few_ulps_of_log1p(dtype, ulps):
    """softplus' log1p by log(1 + u) * u / ((1 + u) - 1), against double-precision libm."""
    import math

    x = np.concatenate([np.linspace(-100, 100, 20001), np.logspace(-40, 2, 500)]).astype(dtype)
    x = np.concatenate([x, -x[-500:]]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = jtorch.nn.functional.softplus(jtorch.tensor(x), threshold=1e4).numpy()
    assert got.dtype == dtype
    want = np.array([max(v, 0.0) + math.log1p(math.exp(-abs(v))) for v in x.astype("float64")])
    normal = want > np.finfo(dtype).tiny
    ulp = np.spacing(want[normal].astype(dtype)).astype("float64")
    assert (np.abs(got[normal].astype("float64") - want[normal]) / ulp).max() <= ulps
