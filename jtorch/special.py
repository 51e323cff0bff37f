"""``torch.special``: special mathematical functions (SciPy's names for most of them).

The kernels live in :mod:`jtorch.ops.special_fns` (and the elementwise, reduce and nn families for
the functions torch also has at top level); this module only gives them their ``special`` names.

Example:
    >>> import jtorch
    >>> jtorch.special.gammaln(jtorch.tensor([4.0])), jtorch.special.expit(jtorch.tensor([0.0]))
    (tensor([1.7918]), tensor([0.5000]))
"""

from __future__ import annotations

from jtorch.ops.elementwise import erf, erfc, erfinv, exp2, expm1, log1p, logit, round
from jtorch.ops.elementwise import sigmoid as expit
from jtorch.ops.nn import log_softmax, softmax
from jtorch.ops.reduce import logsumexp
from jtorch.ops.special_fns import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    digamma,
    entr,
    erfcx,
    hermite_polynomial_h,
    hermite_polynomial_he,
    i0,
    i0e,
    i1,
    i1e,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    log_ndtr,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    ndtr,
    ndtri,
    polygamma,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    sinc,
    spherical_bessel_j0,
    xlog1py,
    xlogy,
    zeta,
)
from jtorch.ops.special_fns import digamma as psi
from jtorch.ops.special_fns import igamma as gammainc
from jtorch.ops.special_fns import igammac as gammaincc
from jtorch.ops.special_fns import lgamma as gammaln
from jtorch.ops.special_fns import mvlgamma as multigammaln

__all__ = [
    "airy_ai",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "spherical_bessel_j0",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "xlog1py",
    "xlogy",
    "zeta",
]
