"""``jtorch.random``: seeding and generator state, with torch's CPU stream bit for bit.

torch's CPU generator is a 32-bit Mersenne Twister (mt19937) seeded by ``init_genrand`` with the
low 32 bits of the seed; NumPy's ``MT19937`` bit generator is the same engine, so a
:class:`Generator` draws torch's exact stream in bulk, and ``jtorch.ops.random`` applies torch's
transforms to it. The state a generator saves (``get_state``) is torch's 5056-byte layout, so
states move between torch and jtorch both ways.

Example:
    >>> import jtorch
    >>> g = jtorch.manual_seed(42)
    >>> jtorch.rand(3)
    tensor([0.8823, 0.9150, 0.3829])
    >>> jtorch.initial_seed()
    42
"""

from __future__ import annotations

import contextlib
import os
import struct

import numpy as np

from jtorch import backend
from jtorch._tensor import Tensor

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "fork_rng",
]

# NOTE: c10::detail::default_rng_seed_val, the seed of every generator nobody seeded.
DEFAULT_SEED = 67280421310721
_N = 624  # mt19937 state words
# torch's CPUGeneratorImplState: seed, left, seeded, next, state[624] (as uint64), normal_x,
# normal_y (the cached double normal), normal_rho, normal_is_valid, then the cached float normal.
_HEAD = struct.Struct("<QiiQ")
_TAIL = struct.Struct("<dddi4xf?3x")
STATE_SIZE = _HEAD.size + 8 * _N + _TAIL.size  # 5056


def _as_seed(seed) -> int:
    """A seed as torch stores it: an unsigned 64-bit number (negatives wrap)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -(2**63) <= seed < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2**64


class Generator:
    """``torch.Generator``: a random stream with its own seed and state.

    A CPU generator reproduces torch's CPU generator exactly (same seed, same numbers); a CUDA
    generator drives CuPy's random module (statistically right, not torch's CUDA numbers).

    Example:
        >>> g = jtorch.Generator().manual_seed(0)
        >>> jtorch.randint(10, (4,), generator=g)
        tensor([4, 9, 3, 0])
    """

    __slots__ = (
        "_device",
        "_bitgen",
        "_seed",
        "_fresh",
        "next_normal",
        "_next_float_normal",
        "_cupy_state",
    )

    def __init__(self, device="cpu") -> None:
        self._device = backend.as_device(device)
        self._bitgen = np.random.MT19937(0)
        self._reseed(DEFAULT_SEED)

    def _reseed(self, seed: int) -> None:
        self._seed = seed
        # NOTE: init_genrand of the low 32 bits, exactly torch's mt19937(seed) constructor.
        self._bitgen._legacy_seeding(seed & 0xFFFFFFFF)
        self._fresh = True  # torch reports next=0 until the first draw twists the state
        self.next_normal = None  # torch caches the second value of a scalar Box-Muller pair
        self._next_float_normal = None
        self._cupy_state = None

    @property
    def device(self) -> backend.device:
        return self._device

    def manual_seed(self, seed: int) -> Generator:
        """Seed this generator and return it.

        Example:
            >>> jtorch.Generator().manual_seed(7).initial_seed()
            7
        """
        self._reseed(_as_seed(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed used."""
        value = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def words(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit draws (``random()`` in torch), as a uint64 array."""
        self._fresh = False
        return self._bitgen.random_raw(n)

    def words64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit draws (``random64()``: two 32-bit draws, the first is high)."""
        w = self.words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def cupy_state(self):
        """CuPy's ``RandomState`` that serves this generator's CUDA tensors (made on first use)."""
        if self._cupy_state is None:
            self._cupy_state = backend.require_cupy().random.RandomState(self._seed)
        return self._cupy_state

    def get_state(self) -> Tensor:
        """This generator's state as torch's 5056-byte ``ByteTensor``.

        Example:
            >>> g = jtorch.Generator(); s = g.get_state(); a = jtorch.rand(2, generator=g)
            >>> g.set_state(s) is g and jtorch.rand(2, generator=g).tolist() == a.tolist()
            True
        """
        mt = self._bitgen.state["state"]
        pos = int(mt["pos"])
        nxt = 0 if self._fresh else pos
        buf = bytearray(STATE_SIZE)
        _HEAD.pack_into(buf, 0, self._seed, _N + 1 - pos, 1, nxt)
        buf[_HEAD.size : _HEAD.size + 8 * _N] = mt["key"].astype("<u8").tobytes()
        normal, fnormal = self.next_normal, self._next_float_normal
        _TAIL.pack_into(
            buf,
            _HEAD.size + 8 * _N,
            0.0,
            0.0 if normal is None else normal,
            0.0,
            normal is not None,
            0.0 if fnormal is None else fnormal,
            fnormal is not None,
        )
        return Tensor._make(np.frombuffer(bytes(buf), np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from :meth:`get_state` (or from torch's ``get_rng_state``)."""
        if not isinstance(new_state, Tensor) or new_state._array.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = backend.to_numpy(new_state._array).tobytes()
        if len(raw) != STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG "
                f"state size to be {len(raw)}"
            )
        seed, left, seeded, nxt = _HEAD.unpack_from(raw, 0)
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = np.frombuffer(raw, "<u8", _N, _HEAD.size).astype(np.uint32)
        _, normal, _, normal_valid, fnormal, fvalid = _TAIL.unpack_from(raw, _HEAD.size + 8 * _N)
        # NOTE: torch counts `left` down to a twist; NumPy counts `pos` up to 624.
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": key, "pos": _N + 1 - left},
        }
        self._seed, self._fresh = seed, nxt == 0
        self.next_normal = normal if normal_valid else None
        self._next_float_normal = fnormal if fvalid else None
        return self

    def clone_state(self) -> Generator:
        """A new generator in this generator's exact state."""
        twin = Generator(self._device)
        return twin.set_state(self.get_state())

    def get_offset(self) -> int:
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset: int) -> Generator:
        raise RuntimeError("CPU Generator does not use offset")

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {hex(id(self))}>"

    def __reduce__(self):
        return (_rebuild_generator, (str(self._device), self.get_state()))


def _rebuild_generator(device: str, state: Tensor) -> Generator:
    return Generator(device).set_state(state)


default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Seed the default generator (and the GPU's, when there is one); returns the generator.

    Example:
        >>> jtorch.manual_seed(0) is jtorch.default_generator
        True
    """
    seed = int(seed)
    from jtorch import cuda  # noqa: PLC0415  (jtorch.cuda imports nothing of ours at import)

    cuda.manual_seed_all(seed % 2**64)
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    value = default_generator.seed()
    from jtorch import cuda  # noqa: PLC0415

    cuda.manual_seed_all(value)
    return value


def initial_seed() -> int:
    """The default generator's seed.

    Example:
        >>> _ = jtorch.manual_seed(3); jtorch.initial_seed()
        3
    """
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default CPU generator's state (torch's 5056-byte layout)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default CPU generator from :func:`get_rng_state`.

    Example:
        >>> s = jtorch.get_rng_state(); a = jtorch.randn(3)
        >>> jtorch.set_rng_state(s); jtorch.randn(3).tolist() == a.tolist()
        True
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices=None, enabled: bool = True, _caller="fork_rng", _devices_kw="devices", device_type=None
):
    """Restore the CPU generator's state when the block exits.

    Example:
        >>> with jtorch.random.fork_rng():
        ...     a = jtorch.rand(2)
        >>> jtorch.rand(2).tolist() == a.tolist()
        True
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
