"""``torch.utils.checkpoint``: activation checkpointing (trade compute for memory).

``checkpoint(fn, *args)`` runs ``fn`` and keeps only its inputs: the activations inside ``fn``
are dropped after the forward pass and recomputed, with the same random state and autocast
state, when the backward pass reaches them. Gradients equal the ones of ``fn(*args)``.

Both of torch's variants give the same gradients here. ``use_reentrant=True`` (the default when
the argument is left out, with torch's warning) runs the forward under ``no_grad`` and, as torch,
leaves outputs without grad when no input requires grad. ``use_reentrant=False`` records the
forward once to find the leaves ``fn`` reads (its parameters), then drops that graph; it
supports keyword arguments, ``autograd.grad`` and double backward. A non-leaf tensor that ``fn``
reads from its closure (not passed as an argument) is differentiated through its own graph
inside the checkpoint's backward, which must then still be alive: pass such tensors as
arguments (torch's reentrant variant requires that as well).

Example:
    >>> import jtorch
    >>> from jtorch.utils.checkpoint import checkpoint
    >>> x = jtorch.tensor([1.0, 2.0], requires_grad=True)
    >>> y = checkpoint(lambda t: (t.sin() * t).sum(), x, use_reentrant=False)
    >>> y.backward(); x.grad
    tensor([1.3818, 0.0770])
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable

from jtorch._tensor import Tensor
from jtorch.autograd.function import AccumulateGrad, UserFunction
from jtorch.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad

__all__ = [
    "checkpoint",
    "checkpoint_sequential",
    "CheckpointFunction",
    "check_backward_validity",
    "detach_variable",
    "noop_context_fn",
]


def noop_context_fn():
    """The default ``context_fn``: no extra context for the forward and the recomputation.

    Example:
        >>> forward_ctx, recompute_ctx = noop_context_fn()
        >>> with forward_ctx, recompute_ctx:
        ...     pass
    """
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs: tuple) -> tuple:
    """Detached copies of the tensors in ``inputs`` that keep their ``requires_grad``.

    Example:
        >>> detach_variable((jtorch.ones(1, requires_grad=True) * 2, 3))
        (tensor([2.], requires_grad=True), 3)
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError(
            "Only tuple of tensors is supported. Got Unsupported input type: "
            f"{type(inputs).__name__}"
        )
    return tuple(
        x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x for x in inputs
    )


def check_backward_validity(inputs) -> None:
    """Warn (as torch) when no tensor input requires grad.

    Example:
        >>> check_backward_validity((jtorch.ones(1, requires_grad=True),))  # no warning
    """
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        warnings.warn(
            "None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2
        )


class _Replay:
    """The random and autocast state of the forward, re-entered for the recomputation."""

    def __init__(self, preserve_rng_state: bool) -> None:
        from jtorch.amp import autocast_mode  # noqa: PLC0415
        from jtorch.random import get_rng_state  # noqa: PLC0415

        self.rng = get_rng_state() if preserve_rng_state else None
        self.autocast = [
            (d, autocast_mode.get_autocast_dtype(d), autocast_mode.is_autocast_cache_enabled())
            for d in ("cpu", "cuda")
            if autocast_mode.is_autocast_enabled(d)
        ]

    @contextlib.contextmanager
    def __call__(self):
        from jtorch.amp import autocast  # noqa: PLC0415
        from jtorch.random import get_rng_state, set_rng_state  # noqa: PLC0415

        outer = get_rng_state() if self.rng is not None else None
        if self.rng is not None:
            set_rng_state(self.rng)
        try:
            with contextlib.ExitStack() as stack:
                for device, dtype, cache in self.autocast:
                    stack.enter_context(autocast(device, dtype, True, cache))
                yield
        finally:
            if outer is not None:
                set_rng_state(outer)


def _as_tuple(out) -> tuple:
    return out if isinstance(out, tuple) else (out,)


class CheckpointFunction(UserFunction):
    """The checkpoint node: holds the inputs, recomputes ``fn`` in backward and differentiates
    the recomputed outputs with respect to the inputs and the leaves ``fn`` reads.

    Example:
        >>> x = jtorch.ones(1, requires_grad=True)
        >>> type(checkpoint(lambda t: t * 2, x, use_reentrant=True).grad_fn).__name__
        'CheckpointFunctionBackward'
    """

    @staticmethod
    def forward(ctx, *tensors, outputs, recompute):
        ctx.recompute = recompute
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        return ctx.recompute(ctx.needs_input_grad, grads)


def _run(function, args: tuple, kwargs: dict, preserve: bool, reentrant: bool, context_fn):
    replay = _Replay(preserve)
    forward_ctx, recompute_ctx = context_fn()
    # positional and keyword arguments as one tuple, so tensors passed by keyword count too
    everything, n_args, keys = (*args, *kwargs.values()), len(args), list(kwargs)

    def call(values: tuple):
        return function(*values[:n_args], **dict(zip(keys, values[n_args:])))

    tensor_args = [a for a in everything if isinstance(a, Tensor)]
    if reentrant:
        check_backward_validity(args)
        with no_grad(), forward_ctx:
            out = function(*args)
        leaves: list[Tensor] = []
        if not (is_grad_enabled() and any(t.requires_grad for t in tensor_args)):
            return out
    else:
        # NOTE: one recorded forward finds the leaves fn reads (its parameters); that graph is
        # dropped right after, so only the inputs stay alive until backward.
        detached = detach_variable(everything)
        with forward_ctx:
            out = call(detached)
        if not is_grad_enabled():
            return out
        inputs = {id(a) for a in detached if isinstance(a, Tensor)}
        leaves = [t for t in _graph_leaves(_as_tuple(out)) if id(t) not in inputs]
        if not leaves and not any(t.requires_grad for t in tensor_args):
            return out
    flat_out = _as_tuple(out)
    values = tuple(o.detach() if isinstance(o, Tensor) else o for o in flat_out)

    def recompute(needs: tuple, grads: tuple) -> tuple:
        from jtorch.autograd import grad as autograd_grad  # noqa: PLC0415

        if is_grad_enabled() and not reentrant:
            # NOTE: create_graph: the recomputation hangs off the real inputs (through a view),
            # so the gradients it returns can be differentiated again
            inputs = tuple(
                a.view_as(a) if isinstance(a, Tensor) and a.requires_grad else a for a in everything
            )
        else:
            inputs = detach_variable(everything)
        with replay(), enable_grad(), recompute_ctx:
            again = _as_tuple(call(inputs))
        pairs = [
            (o, g)
            for o, g in zip(again, grads)
            if isinstance(o, Tensor) and o.requires_grad and g is not None
        ]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        if reentrant:
            # NOTE: as torch's reentrant variant: a nested backward accumulates into every leaf
            # (the parameters' .grad) and the inputs' gradients are passed on.
            from jtorch.autograd import backward  # noqa: PLC0415

            backward([o for o, _ in pairs], [g for _, g in pairs])
            return tuple(t.grad for t in inputs if isinstance(t, Tensor))
        wanted = [t for t in inputs if isinstance(t, Tensor)] + leaves
        targets = [t for t, need in zip(wanted, needs) if need]
        got = iter(
            autograd_grad(
                [o for o, _ in pairs],
                targets,
                [g for _, g in pairs],
                create_graph=is_grad_enabled(),
                allow_unused=True,
            )
        )
        return tuple(next(got) if need else None for need in needs)

    result = CheckpointFunction.apply(*tensor_args, *leaves, outputs=values, recompute=recompute)
    return result if isinstance(out, tuple) else result[0]


def _graph_leaves(outputs: tuple) -> list[Tensor]:
    """The leaf tensors requiring grad that ``outputs`` were computed from."""
    seen, leaves = set(), []
    stack = [o.grad_fn for o in outputs if isinstance(o, Tensor) and o.grad_fn is not None]
    stack += [o for o in outputs if isinstance(o, Tensor) and o.requires_grad and o.is_leaf]
    while stack:
        node = stack.pop()
        if isinstance(node, Tensor):
            if id(node) not in seen:
                seen.add(id(node))
                leaves.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            leaves.append(node.variable)
            continue
        stack.extend(n for n, _ in node.next_functions if n is not None)
    return leaves


def checkpoint(
    function: Callable,
    *args,
    use_reentrant: bool | None = None,
    context_fn: Callable = noop_context_fn,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    **kwargs,
):
    """Run ``function(*args, **kwargs)`` without keeping its activations; they are recomputed
    in backward. ``preserve_rng_state`` (default True) replays the random stream.

    Example:
        >>> lin = jtorch.nn.Linear(2, 2)
        >>> out = checkpoint(lin, jtorch.ones(1, 2, requires_grad=True), use_reentrant=False)
        >>> out.sum().backward(); lin.weight.grad
        tensor([[1., 1.],
                [1., 1.]])
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant and (context_fn is not noop_context_fn or debug is not False):
        raise ValueError(
            "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
        )
    return _run(function, args, kwargs, preserve, use_reentrant, context_fn)


def checkpoint_sequential(functions, segments: int, input, use_reentrant=None, **kwargs):
    """Split a sequential model (or list of modules/functions) into ``segments`` chunks and
    checkpoint every chunk but the last.

    Example:
        >>> seq = jtorch.nn.Sequential(jtorch.nn.Linear(2, 2), jtorch.nn.Tanh())
        >>> checkpoint_sequential(seq, 2, jtorch.zeros(1, 2), use_reentrant=False).shape
        torch.Size([1, 2])
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
            "passed. use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
            "the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start: int, end: int, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input

        return forward

    from jtorch.nn import Sequential  # noqa: PLC0415

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(
            run_function(start, end, functions),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
    return run_function(end + 1, len(functions) - 1, functions)(input)
