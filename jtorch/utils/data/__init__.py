"""torch.utils.data: datasets, samplers, collation and the DataLoader.

Example:
    >>> from jtorch.utils.data import DataLoader, TensorDataset
    >>> x = jtorch.arange(8.0).view(4, 2)
    >>> next(iter(DataLoader(TensorDataset(x), batch_size=2)))
    [tensor([[0., 1.],
            [2., 3.]])]
"""

from jtorch.utils.data._collate import collate, default_collate, default_convert
from jtorch.utils.data.dataloader import DataLoader, get_worker_info
from jtorch.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from jtorch.utils.data.distributed import DistributedSampler
from jtorch.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "collate",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
