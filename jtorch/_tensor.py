"""Tensor: an xp array plus autograd state (grad, grad_fn, version counter, view base).

Most methods are the functions of ``jtorch.ops`` bound directly (``Tensor.exp is ops.exp``):
torch's methods take the tensor as the first argument of the function of the same name, so
binding costs nothing per call. Methods whose signature differs from the function (``view(*shape)``,
``size(dim)``, ``to(...)``) and the autograd surface are written here.

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = x.t() @ x
    >>> y
    tensor([[10., 14.],
            [14., 20.]], grad_fn=<MmBackward0>)
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import numpy as np

from jtorch import _layouts, backend, dtypes
from jtorch._size import Size

__all__ = ["Tensor"]

_OWN_STATE = frozenset({"_grad", "_leaf_edge", "_vc", "_base", "_view_chain", "_view_version"})


class Tensor:
    """A multi-dimensional array with autograd, as ``torch.Tensor``.

    ``Tensor(2, 3)`` (uninitialised), ``Tensor([1, 2])`` (data) and ``Tensor()`` work as torch's
    legacy constructor; prefer ``jtorch.tensor``/``zeros``/``empty``.
    """

    # NOTE: only the array and the two fields every op reads are stored per tensor; the rest of
    # the autograd state lives in class-level defaults until a tensor needs its own value (then it
    # goes to the instance __dict__), so creating an op result costs three stores, not eleven.
    __slots__ = ("_array", "_requires_grad", "grad_fn", "__dict__", "__weakref__")
    _output_nr = 0
    _grad = None
    _vc = None  # version counter: a one-element list shared by a tensor and its views
    _base = None
    _view_chain = None
    _view_version = 0  # the version counter's value when this view's grad_fn was built
    _hooks = None
    _post_acc_hooks = None
    _leaf_edge = None  # (AccumulateGrad, 0) once a leaf was an op's input

    # NOTE: ndarray op Tensor must defer to Tensor's reflected dunder, and np.asarray(t) works.
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, *args, device=None) -> None:
        from jtorch._creation import legacy_array  # noqa: PLC0415

        Tensor._init(self, legacy_array(args, dtypes.get_default_dtype(), device))

    def _init(self, array) -> None:
        self._array = np.asarray(array) if isinstance(array, np.generic) else array
        self._requires_grad = False
        self.grad_fn = None

    @staticmethod
    def _make(array, requires_grad: bool = False, grad_fn=None, output_nr: int = 0) -> Tensor:
        """Wrap an xp array (the one construction path every op uses)."""
        t = _new(Tensor)
        # NumPy returns scalars, not 0-d arrays, from ops on 0-d arrays
        t._array = (
            array
            if type(array) is np.ndarray or not isinstance(array, np.generic)
            else np.asarray(array)
        )
        t._requires_grad = requires_grad
        t.grad_fn = grad_fn
        if output_nr:
            t._output_nr = output_nr
        return t

    def _xp(self):
        return backend.get_array_module(self._array)

    # -- version counter and views -------------------------------------------------------------
    def _version_counter(self) -> list:
        if self._vc is None:
            self._vc = [0]
        return self._vc

    @property
    def _version(self) -> int:
        return self._vc[0] if self._vc is not None else 0

    def _bump(self) -> None:
        if self._vc is None:
            self._vc = [1]
        else:
            self._vc[0] += 1

    def _become_view_of(self, parent: Tensor, fn, attrs: dict) -> None:
        """Share ``parent``'s version counter; remember how to replay the view from the base."""
        # NOTE: the chain is a linked list (previous link, fn, attrs), so making a view is O(1)
        # however deep the chain of views; replay_view in ops/_inplace.py unrolls it.
        self._vc = parent._version_counter()
        self._view_version = self._vc[0]
        if parent._base is None:
            self._base, self._view_chain = parent, (None, fn, attrs)
        else:
            self._base, self._view_chain = parent._base, (parent._view_chain, fn, attrs)

    def _edge(self) -> tuple:
        if self._base is not None and self._view_version != self._vc[0]:
            self._refresh_view_graph()
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)
        edge = self._leaf_edge
        if edge is None:
            # NOTE: the leaf holds its node and the node holds the leaf weakly (no cycle); the
            # graph keeps the leaf alive instead (_record puts it in the consumer's _in_meta), so
            # a leaf's node is built once, not again by every op once the last graph is gone.
            acc = _new(_AccumulateGrad)
            acc.edges, acc._saved, acc._variable = (), None, weakref.ref(self)
            edge = self._leaf_edge = (acc, 0)
        return edge

    def _refresh_view_graph(self) -> None:
        """After an in-place write to its base (or a sibling view), a view's grad_fn is stale:
        rebuild it from the base's current graph, as torch does."""
        from jtorch.autograd.grad_mode import STATE  # noqa: PLC0415
        from jtorch.ops._inplace import replay_view  # noqa: PLC0415

        self._view_version = self._vc[0]
        base = self._base
        if base.grad_fn is None or not STATE.enabled:
            return
        replayed = replay_view(self._view_chain, base)
        self.grad_fn, self._output_nr = replayed.grad_fn, replayed._output_nr
        self._requires_grad = True

    # -- autograd surface ----------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._array.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def data(self) -> Tensor:
        return Tensor._make(self._array)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._array = value._array

    def detach(self) -> Tensor:
        t = Tensor._make(self._array)
        t._vc = self._version_counter()
        return t

    def detach_(self) -> Tensor:
        self.grad_fn, self._requires_grad = None, False
        return self

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        fn = self.grad_fn
        return bool(fn is not None and fn._retained and self._output_nr in fn._retained)

    def register_hook(self, hook):
        """``hook(grad) -> Tensor | None`` runs when this tensor's gradient is computed.

        Example:
            >>> x = jtorch.ones(2, requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 10)
            >>> x.sum().backward(); x.grad
            tensor([10., 10.])
        """
        from jtorch.utils.hooks import add_hook  # noqa: PLC0415

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = OrderedDict()
        return add_hook(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been accumulated."""
        from jtorch.utils.hooks import add_hook  # noqa: PLC0415

        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_acc_hooks is None:
            self._post_acc_hooks = OrderedDict()
        return add_hook(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves.

        Example:
            >>> x = jtorch.tensor(2.0, requires_grad=True)
            >>> (x ** 3).backward(); x.grad
            tensor(12.)
        """
        from jtorch.autograd import backward  # noqa: PLC0415

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- metadata ------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_wrap_dim(dim, self._array.ndim, "size")]

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_np(self._array.dtype)

    @property
    def device(self) -> backend.device:
        return backend.device_of(self._array)

    @property
    def is_cuda(self) -> bool:
        return type(self._array) is not np.ndarray

    @property
    def is_cpu(self) -> bool:
        return type(self._array) is np.ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    # NOTE: the devices and layouts jtorch has no backend for
    is_sparse_csr = is_mkldnn = is_vulkan = is_xla = is_xpu = is_mps = False
    is_ipu = is_maia = is_mtia = False
    name = None  # named tensors are not supported: every tensor is unnamed, as torch's default

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is."""
        return self._output_nr

    @property
    def grad_dtype(self):
        """The dtype a gradient for this tensor must have (its own)."""
        return self.dtype

    @property
    def volatile(self) -> bool:
        import warnings  # noqa: PLC0415

        warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
        return False

    @property
    def layout(self) -> _layouts.layout:
        return _layouts.strided

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._array.size

    nelement = numel

    def element_size(self) -> int:
        return self._array.itemsize

    @property
    def itemsize(self) -> int:
        return self._array.itemsize

    @property
    def nbytes(self) -> int:
        return self._array.nbytes

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._array.itemsize for s in self._array.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._array.ndim, "stride")]

    def storage_offset(self) -> int:
        base = self._base._array if self._base is not None else None
        if base is None:
            return 0
        start = self._array.__array_interface__["data"][0]
        return (start - base.__array_interface__["data"][0]) // self._array.itemsize

    def data_ptr(self) -> int:
        if type(self._array) is np.ndarray:
            return self._array.__array_interface__["data"][0]
        return self._array.data.ptr

    def is_contiguous(self, memory_format=None) -> bool:
        return _layouts.is_in(self._array, memory_format)

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._array.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def is_inference(self) -> bool:
        return False

    def get_device(self) -> int:
        return -1 if self.is_cpu else self.device.index

    def type(self, dtype=None, non_blocking: bool = False):
        """Without an argument, the legacy type name (``'torch.FloatTensor'``); else a cast."""
        if dtype is None:
            name = self.dtype._legacy
            return f"torch.{name}" if self.is_cpu else f"torch.cuda.{name}"
        if isinstance(dtype, str):
            dtype = _legacy_dtype(dtype)
        elif not isinstance(dtype, dtypes.dtype):  # a legacy class such as torch.FloatTensor
            dtype = dtype.dtype
        return self.to(dtype)

    # -- conversion ----------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array behind this tensor (shared memory, no copy).

        Example:
            >>> t = jtorch.ones(2); a = t.numpy(); a[0] = 5; t
            tensor([5., 1.])
        """
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        if type(self._array) is not np.ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                    "copy the tensor to host memory first."
                )
            return backend.to_numpy(self._array)
        return self._array

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        a = backend.to_numpy(self._array)
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self):
        if self._array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._array.size} elements cannot be converted to Scalar"
            )
        return self._array.reshape(()).item()

    def tolist(self):
        return backend.to_numpy(self._array).tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._array.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self.item())

    def __index__(self) -> int:
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._array.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None) -> str:
        from jtorch._printing import tensor_repr  # noqa: PLC0415

        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (backend.to_numpy(self._array), self._requires_grad, str(self.device)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self).__new__(type(self))
        Tensor._init(new, self._array.copy())
        new._requires_grad = self._requires_grad
        # NOTE: the copy gets its own autograd state (node, version counter, grad), not the
        # original's; other instance attributes (user attributes, hooks) are carried over.
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _OWN_STATE})
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def where(self, condition, other) -> Tensor:
        """``self`` where ``condition`` holds, else ``other`` (``torch.where(condition, self, other)``)."""
        from jtorch import ops  # noqa: PLC0415

        return ops.where(condition, self, other)

    # -- properties that are views -------------------------------------------------------------
    @property
    def T(self) -> Tensor:
        return self.permute(*range(self._array.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:
        if self._array.ndim < 2:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
            )
        return self.transpose(-2, -1)

    @property
    def H(self) -> Tensor:
        return self.T.conj()

    @property
    def mH(self) -> Tensor:
        return self.mT.conj()

    @property
    def real(self) -> Tensor:
        from jtorch import ops  # noqa: PLC0415

        return ops.real(self)

    @real.setter
    def real(self, value) -> None:
        self.real.copy_(value)  # as torch: a copy into the view

    @property
    def imag(self) -> Tensor:
        from jtorch import ops  # noqa: PLC0415

        return ops.imag(self)

    @imag.setter
    def imag(self, value) -> None:
        self.imag.copy_(value)


_new = object.__new__


def _wrap_dim(dim: int, ndim: int, op: str = "") -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _legacy_dtype(name: str) -> dtypes.dtype:
    short = name.rsplit(".", 1)[-1]
    for d in dtypes.ALL:
        if d._legacy == short:
            return d
    raise ValueError(f"invalid type: '{name}'")


def _rebuild(array, requires_grad: bool, device: str) -> Tensor:
    t = Tensor._make(backend.move(array, backend.device(device)))
    t._requires_grad = requires_grad
    return t


from jtorch.autograd.function import AccumulateGrad as _AccumulateGrad  # noqa: E402
