"""Read-only views of the autograd graph for tooling: ``Node``, ``GradientEdge`` and an
iterative walker (no recursion, so graphs of any depth work).

Example:
    >>> import jtorch
    >>> x = jtorch.ones(2, requires_grad=True)
    >>> y = (x * 2).exp().sum()
    >>> [node.name() for node, _ in iter_graph(y)][:3]
    ['SumBackward0', 'ExpBackward0', 'MulBackward0']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from jtorch._tensor import Tensor
from jtorch.autograd.function import Node

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "iter_graph", "increment_version"]


class GradientEdge(NamedTuple):
    """Where a tensor's gradient enters the graph: ``(node, output_nr)``."""

    node: Node
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """The edge of ``tensor``: its ``grad_fn`` (or AccumulateGrad node) and output number.

    Example:
        >>> y = jtorch.ones(2, requires_grad=True) * 3
        >>> get_gradient_edge(y).node.name()
        'MulBackward0'
    """
    if not tensor.requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require "
            "gradients"
        )
    node, nr = tensor._edge()
    return GradientEdge(node, nr)


def _roots(tensors) -> list:
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    roots = []
    for t in tensors:
        node = t if isinstance(t, Node) else (t._edge()[0] if t.requires_grad else None)
        if node is not None and node not in roots:
            roots.append(node)
    return roots


def iter_graph(tensors: Tensor | Node | Iterable) -> Iterator[tuple[Node, tuple]]:
    """Each node reachable from ``tensors`` (or nodes) once, with its edges
    ``((child, output_nr), ...)`` (None for inputs that need no gradient).

    Nodes come in the engine's order: a node after every node that feeds it a gradient.
    """
    roots = _roots(tensors)
    consumers: dict = {}
    stack, seen = list(roots), set(roots)
    while stack:  # count each node's consumers
        for edge in stack.pop().edges:
            if edge is not None:
                child = edge[0]
                consumers[child] = consumers.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    ready = [r for r in reversed(roots) if not consumers.get(r)]
    while ready:
        node = ready.pop()
        yield node, tuple(node.edges)
        for edge in reversed(node.edges):
            if edge is not None:
                consumers[edge[0]] -= 1
                if not consumers[edge[0]]:
                    ready.append(edge[0])


def increment_version(tensor: Tensor | Iterable[Tensor]) -> None:
    """Bump the version counter, as an in-place write does (saved copies then fail loudly)."""
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        t._bump()
