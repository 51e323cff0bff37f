"""Parameter: a Tensor that a Module registers as a learnable weight; Buffer; lazy placeholders.

Example:
    >>> import jtorch
    >>> jtorch.nn.Parameter(jtorch.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class Parameter(Tensor):
    """A leaf Tensor that shares ``data``'s memory and requires grad by default.

    Assigned as a Module attribute it is registered in ``_parameters`` (and so appears in
    ``parameters()`` and ``state_dict()``).
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        self = object.__new__(cls)
        if data is None:
            from jtorch._creation import empty  # noqa: PLC0415

            data = empty(0)
        Tensor._init(self, data._array)
        self._vc = data._version_counter()
        self.requires_grad = requires_grad
        return self

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(Tensor._make(self._array.copy()), self.requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    ``nn.Buffer(t, persistent=False)`` is kept out of ``state_dict``.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        self = object.__new__(cls)
        if data is None:
            from jtorch._creation import empty  # noqa: PLC0415

            data = empty(0)
        Tensor._init(self, data._array)
        self._vc = data._version_counter()
        self.persistent = persistent
        return self

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass


class UninitializedParameter(Parameter):
    """A parameter whose shape is unknown until a lazy module's first forward."""

    def materialize(self, shape, device=None, dtype=None) -> None:
        from jtorch._creation import empty  # noqa: PLC0415

        self._array = empty(tuple(shape), device=device, dtype=dtype)._array
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer whose shape is unknown until a lazy module's first forward."""

    def materialize(self, shape, device=None, dtype=None) -> None:
        from jtorch._creation import empty  # noqa: PLC0415

        self._array = empty(tuple(shape), device=device, dtype=dtype)._array
        self.__class__ = Tensor


def is_lazy(param) -> bool:
    """Whether ``param`` is still an uninitialised (lazy) parameter or buffer."""
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
