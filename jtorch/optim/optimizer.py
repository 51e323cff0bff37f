"""Optimizer: the base class of every optimizer, with torch's param groups, state and hooks.

Subclasses validate their hyperparameters, build per-parameter state lazily in ``step`` and call
a functional kernel (``sgd``, ``adam``, ...) that updates the parameters' arrays in place. The
kernels reproduce torch's CPU arithmetic in float32, including the places where torch's kernels
fuse a multiply and an add (``add(alpha=)``, ``lerp``, ``addcmul``): see ``jtorch.ops._fused``.

Example:
    >>> p = jtorch.ones(2, requires_grad=True)
    >>> opt = jtorch.optim.SGD([p], lr=0.5)
    >>> p.sum().backward(); opt.step(); p
    tensor([0.5000, 0.5000], requires_grad=True)
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from jtorch import backend
from jtorch._tensor import Tensor
from jtorch.autograd.grad_mode import enable_grad
from jtorch.ops._fused import addcdiv, addcmul, lerp
from jtorch.utils.hooks import RemovableHandle, add_hook

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def _wrap_step(step: Callable) -> Callable:
    """Run the optimizer's step pre- and post-hooks around ``step`` (free when there are none)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if not self._optimizer_step_pre_hooks and not self._optimizer_step_post_hooks:
            return step(self, *args, **kwargs)
        for hook in list(self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{hook} must return None or a tuple of (new_args, new_kwargs), but got "
                        f"{result}."
                    )
                args, kwargs = result
        out = step(self, *args, **kwargs)
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (param groups).
        defaults: the default hyperparameters, filled into every param group.

    Example:
        >>> p = jtorch.zeros(2, requires_grad=True)
        >>> opt = jtorch.optim.SGD([p], lr=0.1)
        >>> opt.add_param_group({"params": [jtorch.zeros(1, requires_grad=True)], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _wrap_step(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "defaults": self.defaults,
            "state": self.state,
            "param_groups": self.param_groups,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        # NOTE: what torch's per-optimizer __setstate__ does: older state dicts may lack newer
        # group options, and may hold ``step`` as a Python number instead of a float32 tensor.
        for group in self.param_groups:
            for name, default in self.defaults.items():
                group.setdefault(name, default)
            for p in group["params"]:
                p_state = self.state.get(p)
                if p_state and "step" in p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = Tensor._make(np.array(float(p_state["step"]), np.float32))

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        return format_string + ")"

    # -- param groups ---------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones take defaults).

        Example:
            >>> opt = jtorch.optim.Adam([jtorch.zeros(1, requires_grad=True)])
            >>> opt.add_param_group({"params": jtorch.zeros(2, requires_grad=True), "lr": 1.0})
            >>> len(opt.param_groups), opt.param_groups[1]["betas"]
            (2, (0.9, 0.999))
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        names = [p[0] for p in param_group["params"] if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in param_group["params"]]
        if names:
            if len(names) != len(param_group["params"]):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    + name
                )
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add param "
                    f"group {which} to the optimizer"
                )
        if not seen.isdisjoint(id(p) for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps --------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to ``None`` by default).

        Example:
            >>> p = jtorch.ones(2, requires_grad=True); p.sum().backward()
            >>> opt = jtorch.optim.SGD([p], lr=0.1); opt.zero_grad(); p.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad._array[...] = 0
                    grad._bump()

    def step(self, closure: Callable[[], Any] | None = None):
        """Perform one optimization step (re-evaluating the loss with ``closure`` if given)."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # -- hooks ---------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step``; it may return new
        ``(args, kwargs)``."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer)`` runs before ``state_dict`` builds the dict."""
        return add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend=prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer, state_dict)`` may return a replacement state dict."""
        return add_hook(self._optimizer_state_dict_post_hooks, hook, prepend=prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer, state_dict)`` may return a replacement for the dict being loaded."""
        return add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend=prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer)`` runs after ``load_state_dict``."""
        return add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend=prepend)

    # -- state dict -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in torch's layout: ``{"state": {index: {...}}, "param_groups":
        [{..., "params": [index, ...]}]}``, parameters numbered in order across groups.

        Example:
            >>> p = jtorch.ones(1, requires_grad=True); opt = jtorch.optim.Adam([p])
            >>> p.sum().backward(); opt.step(); sd = opt.state_dict()
            >>> sd["state"][0]["step"], sd["param_groups"][0]["params"]
            (tensor(1.), [0])
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start_index):
                param_mappings.setdefault(id(p), i)
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (param_mappings[id(k)] if isinstance(k, Tensor) else k): v
            for k, v in self.state.items()
        }
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state_value(param: Tensor, value: Tensor, key) -> Tensor:
        """torch's policy: ``step`` stays as saved; other floating state takes the param's dtype."""
        if key == "step":
            return value
        if param.is_floating_point() and value.dtype is not param.dtype:
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict made by ``state_dict`` (of this optimizer, torch's, or a checkpoint).

        Example:
            >>> p = jtorch.ones(1, requires_grad=True); opt = jtorch.optim.SGD([p], lr=0.1)
            >>> opt.load_state_dict({"state": {}, "param_groups": [{**opt.defaults, "lr": 2.0,
            ...                      "params": [0]}]})
            >>> opt.param_groups[0]["lr"]
            2.0
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        def cast(param: Tensor, value, key=None):
            if isinstance(value, Tensor):
                return Optimizer._cast_state_value(param, value, key)
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)


# -- shared pieces of the functional kernels ----------------------------------------------------
def scalar_value(x):
    """A hyperparameter as a number; a (1-element) tensor becomes a NumPy scalar of its dtype.

    NOTE: torch keeps a tensor ``lr`` a 0-d tensor, so ``lr / bias_correction`` rounds to its
    dtype; NumPy scalar arithmetic rounds the same way.
    """
    if isinstance(x, Tensor):
        return backend.to_numpy(x._array).reshape(())[()]
    return x


def check_tensor_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def step_tensor() -> Tensor:
    """A fresh ``step`` state entry: a float32 0-d tensor, as torch 2.x keeps it."""
    return Tensor._make(np.zeros((), np.float32))


def zeros_state(p: Tensor) -> Tensor:
    """A zero state buffer shaped and typed like ``p`` (``torch.zeros_like``)."""
    return Tensor._make(p._xp().zeros_like(p._array))


def lerp_(start, end, weight: float):
    """``start.lerp_(end, weight)`` with torch's two fused formulas."""
    return lerp(start, end, weight, out=start)


def addcmul_(a, b, c, value: float):
    """``a.addcmul_(b, c, value=)``: ``a + (value * b) * c``, the last step fused as in torch."""
    return addcmul(a, b, c, value, out=a)


def addcdiv_(a, b, c, value: float):
    """``a.addcdiv_(b, c, value=)``: ``a + (value * b) / c`` (torch's order, not fused)."""
    return addcdiv(a, b, c, value, out=a)


def check_hyperparameters(lr, eps=None, betas=None, weight_decay=None) -> None:
    """torch's shared argument checks, in torch's order (lr, eps, betas, weight_decay)."""
    check_tensor_lr(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps is not None and not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if betas is not None:
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if weight_decay is not None and not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def params_with_grad(group: dict[str, Any]) -> list[Tensor]:
    """The parameters of ``group`` that have a gradient (the ones a step updates)."""
    return [p for p in group["params"] if p.grad is not None]


def to_scalar(x):
    """torch's ``_to_scalar``: a 1-element tensor hyperparameter squeezed to 0-d."""
    if isinstance(x, Tensor) and x.dim() != 0:
        return x.squeeze()
    return x
