"""``torch.nn.parallel``: ``DistributedDataParallel`` (one process per replica, gradients averaged
by ``jtorch.distributed``) and ``DataParallel`` (a single-device wrapper here).

Example:
    >>> from jtorch.nn.parallel import DataParallel
    >>> DataParallel(jtorch.nn.Linear(2, 1)).state_dict().keys()
    odict_keys(['module.weight', 'module.bias'])
"""

from jtorch.nn.parallel.data_parallel import DataParallel
from jtorch.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
