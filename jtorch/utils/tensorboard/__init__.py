"""``torch.utils.tensorboard`` for jtorch: ``SummaryWriter`` writes TensorBoard event files.

Importing this package loads tensorboardX; ``import jtorch`` does not.

Example:
    >>> from jtorch.utils.tensorboard import SummaryWriter
    >>> SummaryWriter.add_graph.__name__
    'add_graph'
"""

import sys


def _import_tensorboardx() -> None:
    # NOTE: tensorboardX's __init__ runs `import torch` only to widen a type alias. With PyTorch
    # installed next to jtorch that costs ~2 s and loads a second tensor library into the
    # process, so the import is refused (a None entry in sys.modules) while tensorboardX loads.
    block = "torch" not in sys.modules
    if block:
        sys.modules["torch"] = None
    try:
        import tensorboardX  # noqa: F401, PLC0415
    finally:
        if block and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


_import_tensorboardx()

from jtorch.utils.tensorboard.writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["SummaryWriter", "FileWriter"]
