"""DistributedSampler's indices equal torch's for the same arguments (no MPI needed)."""

import pytest
import torch.utils.data as tud

from jtorch.utils.data import DistributedSampler


@pytest.mark.distributed
@pytest.mark.parametrize("n", [0, 1, 7, 10, 13])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [True, False])
def test_sampler_matches_torch(n, replicas, shuffle, drop_last):
    data = list(range(n))
    for rank in range(replicas):
        mine = DistributedSampler(data, replicas, rank, shuffle, seed=3, drop_last=drop_last)
        theirs = tud.DistributedSampler(data, replicas, rank, shuffle, seed=3, drop_last=drop_last)
        for epoch in (0, 5):
            mine.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(mine) == list(theirs)
            assert len(mine) == len(theirs)


@pytest.mark.distributed
def test_sampler_bad_rank():
    with pytest.raises(
        ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"
    ):
        DistributedSampler(range(4), num_replicas=2, rank=2)
