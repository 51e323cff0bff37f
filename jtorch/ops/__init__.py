"""All tensor operations, by family; ``jtorch`` re-exports them and Tensor binds them as methods.

elementwise (arithmetic and math), logical (comparisons, logical, bitwise), reduce (sum, mean,
max, std, ...), sorting (sort, topk, unique, histograms), scan (cumsum, cummax, ...), movement
(views), indexing (getitem/setitem, gather/scatter, masks), joining (cat, stack, split, flip,
...), matmul (mm, bmm, einsum, ...), random (sampling), nn (fused layer primitives), conversion.
"""

from jtorch.ops import (  # noqa: E402
    complex_ops,
    conv,
    conversion,
    elementwise,
    extra,
    indexing,
    joining,
    logical,
    movement,
    nn,
    random,
    recurrent,
    reduce,
    scan,
    sorting,
    special_fns,
    spectral,
)
from jtorch.ops import matmul as _matmul  # NOTE: aliased: the star import rebinds `matmul`
from jtorch.ops.complex_ops import *  # noqa: F403
from jtorch.ops.conv import *  # noqa: F403
from jtorch.ops.conversion import *  # noqa: F403
from jtorch.ops.elementwise import *  # noqa: F403
from jtorch.ops.extra import *  # noqa: F403
from jtorch.ops.indexing import *  # noqa: F403
from jtorch.ops.joining import *  # noqa: F403
from jtorch.ops.logical import *  # noqa: F403
from jtorch.ops.matmul import *  # noqa: F403
from jtorch.ops.movement import *  # noqa: F403
from jtorch.ops.nn import *  # noqa: F403
from jtorch.ops.random import *  # noqa: F403
from jtorch.ops.recurrent import *  # noqa: F403
from jtorch.ops.reduce import *  # noqa: F403
from jtorch.ops.scan import *  # noqa: F403
from jtorch.ops.sorting import *  # noqa: F403
from jtorch.ops.special_fns import *  # noqa: F403
from jtorch.ops.spectral import *  # noqa: F403

# NOTE: Tensor-only methods are looked up in this order, so core families come before the
# nn-level ones (Tensor.unfold is movement.unfold, not conv's F.unfold).
FAMILIES = (conversion, elementwise, indexing, joining, logical, _matmul, movement, reduce)
FAMILIES += (scan, sorting, random, nn, conv, recurrent, complex_ops)
FAMILIES += (extra,)
FAMILIES += (special_fns, spectral)
# NOTE: an explicit __all__ so `from jtorch.ops import *` exports only the public functions, never
# the family submodules (ops.nn, ops.random would shadow jtorch.nn and jtorch.random).
__all__ = sorted({name for family in FAMILIES for name in family.__all__})
