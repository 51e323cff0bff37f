"""``swap_in_optimizer_params_and_state``: run optimizer code against other parameters and a
``state_dict()``-shaped state, restoring the live optimizer afterwards (torch.optim._stateless).

Example:
    >>> p = jtorch.ones(1, requires_grad=True); opt = jtorch.optim.SGD([p], lr=1.0, momentum=0.9)
    >>> p.grad = jtorch.ones(1); opt.step()
    >>> q = jtorch.zeros(1, requires_grad=True); q.grad = jtorch.ones(1)
    >>> with swap_in_optimizer_params_and_state(opt, {"w": q}, opt.state_dict()):
    ...     opt.step()
    >>> q, p
    (tensor([-1.9000], requires_grad=True), tensor([0.], requires_grad=True))
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

from jtorch._tensor import Tensor
from jtorch.optim.optimizer import Optimizer

__all__ = ["swap_in_optimizer_params_and_state"]

_PREFIX = "swap_in_optimizer_params_and_state requires "


class _GroupSwapinInfo(NamedTuple):
    live_group: dict[str, Any]
    swapin_group: dict[str, Any]
    swapin_params: list[Tensor]


def _validate_state_field(state: Any) -> dict:
    if not isinstance(state, dict):
        raise RuntimeError(
            f"{_PREFIX}swapin_optim_state['state'] to be a dict mapping packed parameter ids "
            f"to per-param state dicts, got {type(state).__name__}."
        )
    if any(isinstance(k, Tensor) for k in state):
        raise RuntimeError(f"{_PREFIX}optimizer.state_dict()-style state keyed by packed "
                           "parameter ids.")  # fmt: skip
    if any(isinstance(k, int) and not isinstance(v, dict) for k, v in state.items()):
        raise RuntimeError(f"{_PREFIX}per-parameter optimizer state entries to be dictionaries.")
    return state


def _validate_param_groups_field(optimizer: Optimizer, param_groups: Any) -> list[dict]:
    if not isinstance(param_groups, list):
        raise RuntimeError(
            f"{_PREFIX}swapin_optim_state['param_groups'] to be a list of param-group dicts, "
            f"got {type(param_groups).__name__}."
        )
    if len(optimizer.param_groups) != len(param_groups):
        raise RuntimeError(
            "swapin_optim_state has a different number of parameter groups than the live optimizer."
        )
    return param_groups


def _validate_group_against_live(idx: int, group: dict, swapin_group: Any) -> list[int]:
    if not isinstance(swapin_group, dict):
        raise RuntimeError(f"{_PREFIX}each optimizer param group to be a dictionary.")
    ids = swapin_group.get("params")
    if not isinstance(ids, list) or not all(isinstance(pid, int) for pid in ids):
        raise RuntimeError(
            f"{_PREFIX}optimizer.state_dict()-style param_groups[*]['params'] entries keyed by "
            "packed parameter ids."
        )
    if len(group["params"]) != len(ids):
        raise RuntimeError(
            f"swapin_optim_state param group {idx} has a different number of params than the "
            "live optimizer param group."
        )
    swapin_only = [k for k in swapin_group if k not in group]
    live_only = [k for k in group if k not in swapin_group]
    if swapin_only or live_only:
        raise RuntimeError(
            f"{_PREFIX}optimizer.state_dict()-style param group keys to exactly match the live "
            f"optimizer group keys for group {idx}. Keys only in swap-in: {swapin_only}. Keys "
            f"only in live: {live_only}."
        )
    return ids


def _prepare_swap_in(optimizer: Optimizer, swapin_parameters: dict[str, Tensor],
                     swapin_optim_state: dict[str, Any]) -> tuple[dict, list]:  # fmt: skip
    if not optimizer.state:
        raise RuntimeError(f"{_PREFIX}initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        raise RuntimeError(f"{_PREFIX}a DCP-style optimizer state_dict.")
    state = _validate_state_field(swapin_optim_state.get("state"))
    groups = _validate_param_groups_field(optimizer, swapin_optim_state.get("param_groups"))
    flat_parameters = list(swapin_parameters.values())
    offset, seen, infos = 0, set(), []
    for idx, (group, swapin_group) in enumerate(zip(optimizer.param_groups, groups)):
        ids = _validate_group_against_live(idx, group, swapin_group)
        seen.update(ids)
        if offset + len(ids) > len(flat_parameters):
            raise RuntimeError(
                f"{_PREFIX}the explicit parameter state to match optimizer.param_groups ordering."
            )
        infos.append(
            _GroupSwapinInfo(group, swapin_group, flat_parameters[offset : offset + len(ids)])
        )
        offset += len(ids)
    extra_keys = [k for k in state if k not in seen]
    if extra_keys:
        raise RuntimeError(
            f"{_PREFIX}swapin_optim_state['state'] to be keyed only by packed parameter ids "
            f"from param_groups[*]['params']; got extra keys {extra_keys!r}."
        )
    return state, infos


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer: Optimizer, swapin_parameters: dict[str, Tensor],
                                       swapin_optim_state: dict[str, Any]) -> Iterator[None]:  # fmt: skip
    """Inside the block ``optimizer`` steps ``swapin_parameters`` (in param-group order) with
    the state and hyperparameters of ``swapin_optim_state`` (a ``state_dict()``); in-place
    edits of those state tensors are kept, and the live params, groups and state come back."""
    state, infos = _prepare_swap_in(optimizer, swapin_parameters, swapin_optim_state)
    original_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]
    try:
        swapin_state: defaultdict = defaultdict(dict)
        for info in infos:
            info.live_group["params"] = info.swapin_params
            for key, value in info.swapin_group.items():
                if key != "params":
                    info.live_group[key] = value
            for param, param_id in zip(info.swapin_params, info.swapin_group["params"]):
                swapin_state[param] = dict(state.get(param_id, {}))
        optimizer.state = swapin_state
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
