"""All tensor operations, by family; ``jtorch`` re-exports them and Tensor binds them as methods."""

from jtorch.ops.conversion import *  # noqa: F403
from jtorch.ops.elementwise import *  # noqa: F403
from jtorch.ops.movement import *  # noqa: F403
from jtorch.ops.reduce import *  # noqa: F403
