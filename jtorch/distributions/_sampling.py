"""Gamma and Dirichlet samplers (the core lacks them) with torch's reparameterised gradients.

Draws come from a NumPy ``Generator`` seeded with words of jtorch's generator, so they are
deterministic under ``jtorch.manual_seed`` and statistically right, but not torch's numbers.
The gradients are ports of ATen's ``standard_gamma_grad_one`` and ``dirichlet_grad_one``
(``ATen/native/Distributions.h``), evaluated in float64 as torch's CPU kernels do, so for the
same draw they equal ``torch._standard_gamma_grad`` / ``torch._dirichlet_grad``.

Example:
    >>> import jtorch
    >>> from jtorch.distributions._sampling import _standard_gamma_grad
    >>> _standard_gamma_grad(jtorch.tensor([2.0]), jtorch.tensor([1.5]))
    tensor([0.9366])
"""

from __future__ import annotations

import numpy as np

from jtorch import backend
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.ops.extra import _numpy_rng
from jtorch.random import Generator

__all__ = ["_standard_gamma", "_standard_gamma_grad", "_dirichlet_grad", "_sample_dirichlet"]


def _on_device_of(values: np.ndarray, like):
    return values if type(like) is np.ndarray else backend.get_array_module(like).asarray(values)


def _gamma_draws(alpha, generator) -> np.ndarray:
    host = backend.to_numpy(alpha)
    x = _numpy_rng(generator).standard_gamma(host.astype(np.float64, copy=False))
    # NOTE: torch clamps draws to the smallest normal number, so log(x) stays finite.
    return np.maximum(x, np.finfo(host.dtype).tiny).astype(host.dtype, copy=False)


_PSI_A = (
    8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
    -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
    8.33333333333333333333e-2,
)  # fmt: skip


def _digamma(x: np.ndarray) -> np.ndarray:
    """ATen's ``digamma_one`` for positive ``x``: recurrence in ``x``'s dtype up to 10, then
    the asymptotic series in float64; the result is rounded to ``x``'s dtype."""
    result = np.zeros(x.shape)
    for _ in range(10):
        small = x < 10
        result -= np.where(small, 1 / x, 0)
        x = np.where(small, x + x.dtype.type(1), x)
    x64 = x.astype(np.float64)
    z = 1 / (x64 * x64)
    y = np.zeros_like(z)
    for a in _PSI_A:
        y = y * z + a
    y = np.where(x64 == 10, 0.0, z * y)
    psi = np.where(x64 == 10, 2.25175258906672110764, np.log(x64) - 0.5 / x64)
    return (result + psi - y).astype(x.dtype)


def _gamma_grad_np(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``-(d/dalpha cdf(x; alpha)) / pdf(x; alpha)`` (ATen's ``standard_gamma_grad_one``)."""
    with np.errstate(all="ignore"):
        # Taylor series for small x.
        numer, denom = np.ones_like(x), alpha.copy()
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = x**alpha
        gamma_pdf = x ** (alpha - 1) * np.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = (np.log(x) - _digamma(alpha)) * gamma_cdf - pow_x_alpha * series2
        small_x = -gamma_cdf_alpha / gamma_pdf
        small_x = np.where(np.isnan(small_x), 0.0, small_x)
        # Rice saddle point expansion for large alpha.
        numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
        numer_2 = (
            1440 * (alpha * alpha)
            + 6 * x * (53 - 120 * x)
            - 65 * x * x / alpha
            + alpha * (107 + 3600 * x)
        )
        near_mean = numer_1 * numer_2 / (1244160 * (alpha * alpha) * (alpha * alpha))
        denom = np.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = (x - alpha - alpha * np.log(x / alpha)) ** -1.5
        term23 = np.where(x < alpha, term2 - term3, term2 + term3)
        term1 = np.log(x / alpha) * term23 - np.sqrt(2 / alpha) * (alpha + x) / (
            (alpha - x) * (alpha - x)
        )
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        large_alpha = -stirling * x * term1 / denom
        large_alpha = np.where((0.9 * alpha <= x) & (x <= 1.1 * alpha), near_mean, large_alpha)
        # Bivariate rational approximation elsewhere.
        u, v = np.log(x / alpha), np.log(alpha)
        coef = [_GAMMA_UV[0][i] + u * (_GAMMA_UV[1][i] + u * _GAMMA_UV[2][i]) for i in range(8)]
        p = coef[0] + v * (coef[1] + v * (coef[2] + v * coef[3]))
        q = coef[4] + v * (coef[5] + v * (coef[6] + v * coef[7]))
        rational = np.exp(p / q)
    return np.where(x < 0.8, small_x, np.where(alpha > 8.0, large_alpha, rational))


_GAMMA_UV = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089,
     0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113,
     -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326,
     0.00085092367, -1.5247877e-07),
)  # fmt: skip


def _beta_grad_alpha_small(x, alpha, beta):
    """Reparameterised Beta gradient wrt alpha for x near 0 (Taylor expansion)."""
    factor = _digamma(alpha) - _digamma(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    result = x * (1 - x) ** -beta * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_beta_small(x, alpha, beta):
    """Reparameterised Beta gradient wrt beta for x near 0 (Taylor expansion)."""
    factor = _digamma(alpha + beta) - _digamma(beta)
    numer, betas, dbetas = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    result = -((1 - x) ** (1 - beta)) * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_alpha_mid(x, alpha, beta):
    """Reparameterised Beta gradient wrt alpha for large alpha and beta (Rice saddle point)."""
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta
        + alpha * (
            3 * (59 + 180 * beta - 90 * x) * (beta * beta)
            + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta
                + alpha * (8 * (1 - x) * (135 * beta - 11))
            )
        )
    )  # fmt: skip
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    at_mean = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = (
        (1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
        * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
        / (1 + 1 / (12 * total) + 1 / (288 * total * total))
    )
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1 = term1_num / (np.sqrt(2 * alpha / beta) * total**1.5 * axbx * axbx)
    term2 = 0.5 * np.log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4_base = beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x))
    term4 = term4_base**-1.5
    term1234 = term1 + term2 * (term3 + np.where(x < mean, term4, -term4))
    away = stirling * prefactor * term1234
    return np.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), at_mean, away)


def _dirichlet_grad_np(x: np.ndarray, alpha: np.ndarray, total: np.ndarray, dtype) -> np.ndarray:
    """ATen's ``dirichlet_grad_one``: the scaled Beta(alpha, total - alpha) gradient."""
    with np.errstate(all="ignore"):
        beta = total - alpha
        # NOTE: torch evaluates the boundary tests and the small-x series in the input dtype.
        xd, ad, td = (v.astype(dtype) for v in (x, alpha, total))
        bd = td - ad
        boundary = (td * xd * (1 - xd)).astype(np.float64)
        small = _beta_grad_alpha_small(xd, ad, bd).astype(np.float64)
        large = -_beta_grad_beta_small(1 - xd, bd, ad).astype(np.float64)
        mid = _beta_grad_alpha_mid(x, alpha, beta)
        u = np.log(x)
        a = np.log(alpha) - u
        b = np.log(total) - a
        pow_u, pow_a = (1, u, u * u), (1, a, a * a)
        p = q = 0.0
        for i in range(3):
            for j in range(3):
                ua = pow_u[i] * pow_a[j]
                cp, cq = _DIRICHLET_C[0][i][j], _DIRICHLET_C[1][i][j]
                p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
                q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
        approx = x * (_digamma(total) - _digamma(alpha)) / beta
        rational = p / q * approx
    return np.select(
        [(x <= 0.5) & (boundary < 2.5), (x >= 0.5) & (boundary < 0.75), (alpha > 6) & (beta > 6)],
        [small, large, mid],
        rational,
    )


_DIRICHLET_C = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)  # fmt: skip


def _host64(t: Tensor) -> np.ndarray:
    return backend.to_numpy(t._array).astype(np.float64, copy=False)


def _result(values: np.ndarray, like: Tensor) -> Tensor:
    return Tensor._make(_on_device_of(values.astype(like._array.dtype, copy=False), like._array))


def _standard_gamma_grad(alpha: Tensor, x: Tensor) -> Tensor:
    """``torch._standard_gamma_grad``: d(sample)/d(alpha) of standard gamma draws ``x``
    (not differentiable, as in torch)."""
    a, v = np.broadcast_arrays(_host64(alpha), _host64(x))
    return _result(_gamma_grad_np(a, v), x)


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """``torch._dirichlet_grad``: the per-coordinate reparameterised gradient of a Dirichlet
    draw ``x`` (not differentiable, as in torch)."""
    xs, a, t = np.broadcast_arrays(_host64(x), _host64(alpha), _host64(total))
    return _result(_dirichlet_grad_np(xs, a, t, x._array.dtype), x)


class StandardGamma(Function):
    """Standard gamma draws; the gradient is torch's implicit reparameterisation."""

    @staticmethod
    def forward(ctx, alpha, generator=None):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        return _on_device_of(_gamma_draws(alpha, generator), alpha)

    @staticmethod
    def backward(ctx, grad):
        (alpha,), (x,) = ctx.saved_inputs, ctx.saved_outputs
        return grad * _standard_gamma_grad(alpha, x)


def _standard_gamma(alpha: Tensor, generator: Generator | None = None) -> Tensor:
    """``torch._standard_gamma``: Gamma(alpha, 1) draws, reparameterised.

    Example:
        >>> import jtorch
        >>> _standard_gamma(jtorch.full((3,), 2.0)).shape
        torch.Size([3])
    """
    return StandardGamma.apply(alpha, generator=generator)


class _Dirichlet(Function):
    """Dirichlet draws (normalised gammas) with torch's reparameterised gradient."""

    node_name = "_DirichletBackward"

    @staticmethod
    def forward(ctx, alpha, generator=None):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        gammas = _gamma_draws(alpha, generator)
        x = gammas / gammas.sum(-1, keepdims=True)
        return _on_device_of(np.maximum(x, np.finfo(x.dtype).tiny), alpha)

    @staticmethod
    def backward(ctx, grad):
        (alpha,), (x,) = ctx.saved_inputs, ctx.saved_outputs
        total = alpha.sum(-1, True).expand_as(alpha)
        return _dirichlet_grad(x, alpha, total) * (grad - (x * grad).sum(-1, True))


def _sample_dirichlet(alpha: Tensor, generator: Generator | None = None) -> Tensor:
    """Dirichlet(alpha) draws over the last dim, reparameterised (``_Dirichlet`` in torch).

    Example:
        >>> import jtorch
        >>> _sample_dirichlet(jtorch.ones(2, 3)).sum(-1)
        tensor([1., 1.])
    """
    return _Dirichlet.apply(alpha, generator=generator)
