"""torch's fused CPU arithmetic, bit for bit: add/sub/rsub with ``alpha``, lerp and addcmul
round their multiply-add once, addcdiv twice in torch's order, ``number / t`` is
``reciprocal(t) * number``; float16 lerp/addcmul/addcdiv compute in float32.

NOTE: sizes are multiples of 16: torch's vectorized loop covers those; a tensor-with-number
loop's last ``size % 16`` elements (and float16 add's chunk ends) take a scalar loop of its own
that fuses only some of them.
"""

import numpy as np
import pytest
from oracle import randn, torch

import jtorch

N = 64 * 64 + 48  # the saxpy path (from 4096 elements) with a tail after its 64-element blocks


def _data() -> list[np.ndarray]:
    weights = np.random.default_rng(3).random(N)
    return [randn(N, seed=0), randn(N, seed=1), randn(N, seed=2) + 3, weights]


CASES = {
    "add_alpha": lambda lib, a, b, c, w: lib.add(a, b, alpha=0.3),
    "sub_alpha": lambda lib, a, b, c, w: lib.sub(a, b, alpha=0.7),
    "rsub_alpha": lambda lib, a, b, c, w: lib.rsub(a, b, alpha=0.3),
    "add_number_alpha": lambda lib, a, b, c, w: lib.add(a, 1.1, alpha=0.7),
    "add_0d_alpha": lambda lib, a, b, c, w: lib.add(a, b[0], alpha=0.3),
    "add_broadcast_alpha": lambda lib, a, b, c, w: lib.add(
        a[:1000].view(40, 25), b[:25], alpha=0.3
    ),
    "add_inplace_alpha": lambda lib, a, b, c, w: a.clone().add_(b, alpha=0.3),
    "lerp_small_weight": lambda lib, a, b, c, w: lib.lerp(a, b, 0.3),
    "lerp_large_weight": lambda lib, a, b, c, w: lib.lerp(a, b, 0.7),
    "lerp_tensor_weight": lambda lib, a, b, c, w: lib.lerp(a, b, w),
    "lerp_inplace": lambda lib, a, b, c, w: a.clone().lerp_(b, 0.3),
    "addcmul": lambda lib, a, b, c, w: lib.addcmul(a, b, c, value=0.3),
    "addcmul_inplace": lambda lib, a, b, c, w: a.clone().addcmul_(b, c, value=2.1),
    "addcdiv": lambda lib, a, b, c, w: lib.addcdiv(a, b, c, value=0.3),
    "number_div": lambda lib, a, b, c, w: 3.7 / c,
}


HALF = ("lerp_small_weight", "lerp_large_weight", "lerp_tensor_weight", "addcmul", "addcdiv")


@pytest.mark.parametrize(
    ("case", "dtype"), [(c, "float32") for c in CASES] + [(c, "float16") for c in HALF]
)
def test_bits_match_torch(case, dtype):
    arrays = [x.astype(dtype) for x in _data()]
    ours = CASES[case](jtorch, *map(jtorch.tensor, arrays)).numpy()
    theirs = CASES[case](torch, *map(torch.tensor, arrays)).numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_fused_differs_from_two_roundings():
    """The check above is not vacuous: two roundings give other bits for some elements."""
    a, b = (x.astype(np.float32) for x in _data()[:2])
    fused = jtorch.add(jtorch.tensor(a), jtorch.tensor(b), alpha=0.3).numpy()
    assert (fused != a + np.float32(0.3) * b).sum() > N // 20


def test_gradients_unchanged():
    a, b = (jtorch.tensor(randn(4, seed=s), requires_grad=True) for s in (0, 1))
    (jtorch.rsub(a, b, alpha=2) + jtorch.lerp(a, b, 0.7) + 3 / a).sum().backward()
    ta, tb = (torch.tensor(randn(4, seed=s), requires_grad=True) for s in (0, 1))
    (torch.rsub(ta, tb, alpha=2) + torch.lerp(ta, tb, 0.7) + 3 / ta).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)
