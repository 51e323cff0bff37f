"""Which functions of ``jtorch.ops`` are also Tensor methods, in-place methods and operators.

torch's method ``t.f(*args)`` is its function ``f(t, *args)``, so the functions are bound to
Tensor as they are; an in-place method ``f_`` is ``f`` followed by a write into ``t``.

Example:
    >>> import jtorch
    >>> x = jtorch.ones(2)
    >>> x.add_(1).mul_(3), 2 - x, x @ x
    (tensor([6., 6.]), tensor([-4., -4.]), tensor(72.))
"""

from __future__ import annotations

from jtorch import ops
from jtorch._tensor import Tensor
from jtorch.ops._inplace import make_inplace, make_inplace_view

# Methods that are the function of the same name (listed by family; each must exist in ops).
METHODS = """
clone contiguous to cpu cuda type_as float double half bfloat16 int long short char byte bool
cfloat cdouble
""".split()
# elementwise (arithmetic and math)
METHODS += """
add sub subtract mul multiply div divide true_divide neg negative pow exp log sqrt tanh sigmoid
conj abs absolute sign sgn square rsqrt exp2 expm1 log2 log10 log1p sin cos tan asin arcsin acos
arccos atan arctan sinh cosh asinh arcsinh acosh arccosh atanh arctanh erf erfc erfinv reciprocal
floor ceil trunc fix round frac relu positive angle logit atan2 arctan2 hypot fmod remainder
floor_divide float_power maximum minimum fmax fmin lerp clamp clip clamp_min clamp_max nan_to_num
""".split()
# logical (comparisons, logical, bitwise)
METHODS += """
eq ne lt le gt ge greater greater_equal less less_equal not_equal equal allclose isclose isnan
isinf isfinite isposinf isneginf isreal signbit logical_and logical_or logical_xor logical_not
bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift
""".split()
# movement (views)
METHODS += """
view view_as reshape transpose t permute expand expand_as flatten unflatten squeeze unsqueeze
swapaxes swapdims movedim moveaxis narrow select diagonal unfold select_scatter slice_scatter
diagonal_scatter
""".split()
# indexing
METHODS += """
__getitem__ __setitem__ index_select take take_along_dim gather scatter scatter_add scatter_reduce
index_add index_copy index_fill index_put index_put_ masked_fill masked_select masked_scatter
nonzero argwhere put fill_ zero_ copy_
""".split()
# joining
METHODS += """
split chunk tensor_split unbind flip fliplr flipud roll rot90 diag diag_embed diagflat tril triu
repeat tile repeat_interleave broadcast_to hsplit vsplit dsplit
""".split()
# reduce
METHODS += """
sum mean nansum nanmean prod max min amax amin aminmax argmax argmin var std logsumexp all any
count_nonzero norm dist
""".split()
# sorting
METHODS += """
sort argsort msort topk kthvalue median nanmedian mode unique unique_consecutive histc histogram
bincount
""".split()
# scan
METHODS += """
cumsum cumprod cummax cummin logcumsumexp diff
""".split()
# matmul
METHODS += """
matmul mm bmm mv dot vdot inner outer ger addmm addmv addbmm baddbmm kron
""".split()
# random (in-place samplers such as uniform_ are listed here too: they are methods already)
METHODS += """
uniform_ normal_ random_ bernoulli_ exponential_ geometric_ log_normal_ cauchy_ bernoulli
multinomial
""".split()
# complex_ops
METHODS += """
conj_physical conj_physical_ resolve_conj resolve_neg is_conj is_neg adjoint
""".split()
# spectral
METHODS += ["stft", "istft"]
# special_fns (Tensor.polygamma(n) takes n second, unlike the function: not bound here)
METHODS += """
lgamma digamma mvlgamma i0 sinc xlogy igamma igammac
""".split()
# extra (ops that fit no other family)
METHODS += """
addcdiv addcmul addr copysign deg2rad rad2deg frexp gcd lcm ldexp heaviside logaddexp logaddexp2
nextafter quantile nanquantile cov corrcoef renorm index_reduce is_nonzero is_same_size ravel
reshape_as sum_to_size split_with_sizes unsafe_chunk unsafe_split unsafe_split_with_sizes
narrow_copy as_strided as_strided_ as_strided_scatter resize_ resize_as_ apply_ map_ map2_
dim_order new_empty_strided to_dense sparse_dim dense_dim is_pinned pin_memory share_memory_
is_shared untyped_storage to_sparse to_sparse_coo to_sparse_csr to_sparse_csc to_sparse_bsr
to_sparse_bsc coalesce is_coalesced indices values crow_indices col_indices ccol_indices
row_indices sparse_mask sparse_resize_ sparse_resize_and_clear_ nonzero_static smm sspaddmm
set_ is_set_to is_distributed const_data_ptr as_subclass module_load storage resize resize_as
""".split()
# nn primitives that torch also has as methods (relu, softmax, ...)
METHODS += """
relu relu_ softmax log_softmax hardshrink prelu
""".split()

# Out-of-place methods that also get an in-place ``name_`` variant (an explicit ``name_`` in ops
# wins over the generated one).
INPLACE = """
add sub subtract mul multiply div divide true_divide neg negative pow exp log sqrt tanh sigmoid
abs absolute sign sgn square rsqrt exp2 expm1 log2 log10 log1p sin cos tan asin arcsin acos arccos
atan arctan sinh cosh asinh arcsinh acosh arccosh atanh arctanh erf erfc erfinv reciprocal floor
ceil trunc fix round frac relu logit atan2 arctan2 hypot fmod remainder floor_divide float_power
lerp clamp clip clamp_min clamp_max nan_to_num
""".split()
INPLACE += """
eq ne lt le gt ge greater greater_equal less less_equal not_equal logical_and logical_or
logical_xor logical_not bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift
bitwise_right_shift
""".split()  # logical
# indexing
INPLACE += """
index_add index_copy index_fill masked_fill masked_scatter scatter scatter_add scatter_reduce put
""".split()
# joining
INPLACE += """
tril triu
""".split()
INPLACE += "cumsum cumprod".split()  # scan
INPLACE += "lgamma digamma mvlgamma i0 sinc xlogy igamma igammac".split()  # special_fns
INPLACE += "addmm addmv addbmm baddbmm".split()  # matmul
# extra
INPLACE += """
addcdiv addcmul addr copysign deg2rad rad2deg gcd lcm ldexp heaviside nextafter renorm
index_reduce fill_diagonal
""".split()


# View ops whose in-place form changes the tensor's shape and strides (``x.t_()``).
INPLACE_VIEWS = "t transpose squeeze unsqueeze swapaxes swapdims".split()


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    method.__name__ = f"__r{fn.__name__}__"
    return method


def _inplace_operator(name: str):
    def method(self, other):
        return getattr(self, name)(other)

    return method


OPERATORS = {
    "__add__": "add",
    "__sub__": "sub",
    "__mul__": "mul",
    "__truediv__": "div",
    "__floordiv__": "floor_divide",
    "__mod__": "remainder",
    "__pow__": "pow",
    "__matmul__": "matmul",
    "__neg__": "neg",
    "__pos__": "positive",
    "__abs__": "abs",
    "__invert__": "_operator_invert",
    "__and__": "bitwise_and",
    "__or__": "bitwise_or",
    "__xor__": "bitwise_xor",
    "__lshift__": "bitwise_left_shift",
    "__rshift__": "bitwise_right_shift",
    "__eq__": "_operator_eq",
    "__ne__": "_operator_ne",
    "__lt__": "lt",
    "__le__": "le",
    "__gt__": "gt",
    "__ge__": "ge",
}
# NOTE: torch's ``number + t`` (and *, &, |, ^) is ``add(t, number)``, self first; ``number - t`` is
# ``rsub(t, number)`` and ``number / t`` is ``reciprocal(t) * number``; the rest swap operands.
REFLECTED = {
    "__radd__": "add",
    "__rsub__": "rsub",
    "__rmul__": "mul",
    "__rtruediv__": "_rdiv",
    "__rand__": "bitwise_and",
    "__ror__": "bitwise_or",
    "__rxor__": "bitwise_xor",
}
SWAPPED = {
    "__rfloordiv__": "floor_divide",
    "__rmod__": "remainder",
    "__rpow__": "pow",
    "__rmatmul__": "matmul",
    "__rlshift__": "bitwise_left_shift",
    "__rrshift__": "bitwise_right_shift",
}
INPLACE_OPERATORS = {
    "__iadd__": "add_",
    "__isub__": "sub_",
    "__imul__": "mul_",
    "__itruediv__": "div_",
    "__ifloordiv__": "floor_divide_",
    "__imod__": "remainder_",
    "__ipow__": "pow_",
    "__iand__": "bitwise_and_",
    "__ior__": "bitwise_or_",
    "__ixor__": "bitwise_xor_",
    "__ilshift__": "bitwise_left_shift_",
    "__irshift__": "bitwise_right_shift_",
}


def _linalg_methods() -> dict:
    from jtorch import linalg  # noqa: PLC0415

    return {
        "svd": linalg.svd_legacy,
        "qr": linalg.qr_legacy,
        "inverse": linalg.inverse,
        "det": linalg.det,
        "logdet": linalg.logdet,
        "slogdet": linalg.slogdet,
        "trace": linalg.trace,
        "pinverse": linalg.pinv,
        "matrix_power": linalg.matrix_power,
        # torch.lu, cholesky_solve, geqrf, ... (all but the two that are functions only)
        **{n: f for n, f in linalg.LEGACY.items() if n not in ("lu_unpack", "chain_matmul")},
    }


def _lookup(name: str):
    """The ops function ``name``: public ones first, then Tensor-only ones in the family modules."""
    fn = getattr(ops, name, None)
    if fn is None:
        fn = next((vars(m)[name] for m in ops.FAMILIES if callable(vars(m).get(name))), None)
    return fn


def bind() -> None:
    """Attach every listed op that exists to Tensor."""
    for name in METHODS:
        if _lookup(name) is not None:
            setattr(Tensor, name, _lookup(name))
    for name in INPLACE:
        if _lookup(name + "_") is not None:
            setattr(Tensor, name + "_", _lookup(name + "_"))
        elif _lookup(name) is not None:
            setattr(Tensor, name + "_", make_inplace(_lookup(name)))
    for name in INPLACE_VIEWS:
        setattr(Tensor, name + "_", make_inplace_view(_lookup(name)))
    for table, wrap in ((OPERATORS, None), (REFLECTED, None), (SWAPPED, _reflected)):
        for dunder, name in table.items():
            fn = _lookup(name)
            if fn is not None:
                fn = getattr(fn, "__wrapped__", fn)  # operators skip the out= wrapper
                setattr(Tensor, dunder, wrap(fn) if wrap else fn)
    for dunder, name in INPLACE_OPERATORS.items():
        setattr(Tensor, dunder, _inplace_operator(name))
    for name, fn in _linalg_methods().items():
        setattr(Tensor, name, fn)
    from jtorch._creation import NEW_METHODS  # noqa: PLC0415

    for fn in NEW_METHODS:
        setattr(Tensor, fn.__name__, fn)
    Tensor.polygamma = _polygamma_method
    Tensor.polygamma_ = make_inplace(_polygamma_method)


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """``Tensor.polygamma(n)``: the method takes the order second, unlike the function."""
    return _lookup("polygamma")(n, self)


_polygamma_method.__name__ = "polygamma"


def missing() -> list[str]:
    """Listed names that no ops module defines yet (a test keeps this empty)."""
    names = [*METHODS, *OPERATORS.values(), *REFLECTED.values(), *SWAPPED.values()]
    return sorted({n for n in names if _lookup(n) is None})
