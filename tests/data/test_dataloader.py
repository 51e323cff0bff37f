"""utils.data against torch 2.13: batching, shuffling order, samplers, collation, workers."""

import collections

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch
from jtorch.utils import data as jdata

torch = torch_oracle()
tdata = torch.utils.data


def _np(batch):
    """A batch (nested lists/dicts/tuples of tensors) as plain Python data for comparison."""
    if isinstance(batch, (jtorch.Tensor, torch.Tensor)):
        return (str(batch.dtype).replace("torch.", ""), batch.numpy().tolist())
    if isinstance(batch, dict):
        return {k: _np(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch).__name__, [_np(b) for b in batch]
    return batch


def _dataset(lib, n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return lib.utils.data.TensorDataset(lib.tensor(x), lib.arange(n))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 3},
        {"batch_size": 3, "drop_last": True},
        {"batch_size": None},
        {"batch_size": 4, "shuffle": True, "seed": 7},
        {"batch_size": 2, "shuffle": True, "seed": 1, "drop_last": True},
    ],
)
def test_batches_match_torch(kwargs):
    kwargs = dict(kwargs)
    seed = kwargs.pop("seed", None)

    def run(lib):
        gen = lib.Generator().manual_seed(seed) if seed is not None else None
        loader = lib.utils.data.DataLoader(_dataset(lib), generator=gen, **kwargs)
        return len(loader), [_np(b) for b in loader]

    assert run(jtorch) == run(torch)


def test_tensor_dataset_batches_as_per_sample_fetch():
    """A TensorDataset's rows are gathered at once: same batches, dtypes and contiguity as torch's
    per-sample fetch and stack, also for negative indices, a transposed tensor and bad indices."""

    def dataset(lib):
        x = lib.arange(24.0).reshape(3, 8).t()
        return lib.utils.data.TensorDataset(x, lib.arange(8, dtype=lib.int32))

    def run(lib):
        loader = lib.utils.data.DataLoader(dataset(lib), batch_sampler=[[0, -1, 3], [7], [2, 2]])
        return [(_np(b), [t.is_contiguous() for t in b]) for b in loader]

    assert run(jtorch) == run(torch)
    errors = []
    for lib in (jtorch, torch):
        with pytest.raises(IndexError) as info:
            list(lib.utils.data.DataLoader(dataset(lib), batch_sampler=[[0, 8]]))
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_shuffle_without_generator_follows_global_seed():
    def run(lib):
        lib.manual_seed(123)
        loader = lib.utils.data.DataLoader(range(12), batch_size=5, shuffle=True)
        return [b.tolist() for epoch in range(2) for b in loader]

    assert run(jtorch) == run(torch)


def test_samplers_match_torch():
    def run(lib):
        d = lib.utils.data
        g = lib.Generator().manual_seed(3)
        return [
            list(d.RandomSampler(range(7), replacement=True, num_samples=40, generator=g)),
            list(d.RandomSampler(range(7), num_samples=10, generator=g)),
            list(d.SubsetRandomSampler([10, 20, 30, 40], generator=g)),
            list(d.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0], 12, generator=g)),
            list(d.WeightedRandomSampler([1, 2, 3, 4], 3, replacement=False, generator=g)),
            list(d.BatchSampler(d.SequentialSampler(range(7)), 3, drop_last=False)),
            len(d.BatchSampler(range(7), 3, drop_last=True)),
        ]

    assert run(jtorch) == run(torch)


def test_sampler_errors_match_torch():
    for lib in (jtorch, torch):
        d = lib.utils.data
        with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
            d.RandomSampler(range(3), num_samples=0)
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            d.BatchSampler(range(3), 0, False)
        with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
            d.DataLoader(range(3), sampler=d.SequentialSampler(range(3)), shuffle=True)
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
            d.DataLoader(range(3), batch_sampler=[[0]], batch_size=2)
        with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
            d.DataLoader(range(3), persistent_workers=True)


def test_random_split_matches_torch():
    def run(lib):
        g = lib.Generator().manual_seed(42)
        a = [list(s) for s in lib.utils.data.random_split(range(10), [3, 7], generator=g)]
        b = [list(s) for s in lib.utils.data.random_split(range(11), [0.3, 0.3, 0.4], generator=g)]
        return a, b

    assert run(jtorch) == run(torch)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        jdata.random_split(range(5), [2, 2])


Point = collections.namedtuple("Point", "x y")


def test_default_collate_matches_torch():
    samples = [
        [(np.float32(1.5), 2, "a"), (np.float32(2.5), 3, "b")],
        [
            {"img": np.ones((2, 2), np.uint8), "label": True},
            {"img": np.zeros((2, 2), np.uint8), "label": False},
        ],
        [Point(1.0, [1, 2]), Point(2.0, [3, 4])],
        [np.array([1, 2]), np.array([3, 4])],
        [3.5, 4],
    ]
    for batch in samples:
        assert _np(jdata.default_collate(batch)) == _np(tdata.default_collate(batch))
    tensors = [np.arange(6.0).reshape(2, 3), np.ones((2, 3))]
    ours = jdata.default_collate([jtorch.tensor(t) for t in tensors])
    theirs = tdata.default_collate([torch.tensor(t) for t in tensors])
    assert _np(ours) == _np(theirs)
    converted = jdata.default_convert({"a": np.arange(3), "b": (np.float64(2.0), "s")})
    assert _np(converted) == _np(
        tdata.default_convert({"a": np.arange(3), "b": (np.float64(2.0), "s")})
    )
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        jdata.default_collate([object(), object()])


def test_datasets():
    cat = jdata.ConcatDataset([range(3), range(10, 14)])
    assert len(cat) == 7 and cat[3] == 10 and cat[-1] == 13
    stack = jdata.StackDataset(a=[1, 2], b=["x", "y"])
    assert stack[0] == {"a": 1, "b": "x"}
    sub = jdata.Subset(list("abcdef"), [5, 1])
    assert [sub[i] for i in range(len(sub))] == ["f", "b"]


class _Squares(jdata.Dataset):
    def __len__(self):
        return 23

    def __getitem__(self, i):
        info = jdata.get_worker_info()
        return {"x": jtorch.tensor([float(i * i)]), "worker": -1 if info is None else info.id}


class _Stream(jdata.IterableDataset):
    def __iter__(self):
        info = jdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, 17, step))


def _init(worker_id):
    np.random.seed(100 + worker_id)


def test_workers_keep_order_and_match_single_process():
    single = list(jdata.DataLoader(_Squares(), batch_size=4))
    multi = list(jdata.DataLoader(_Squares(), batch_size=4, num_workers=2, worker_init_fn=_init))
    assert [b["x"].tolist() for b in single] == [b["x"].tolist() for b in multi]
    assert {w for b in multi for w in b["worker"].tolist()} == {0, 1}
    assert jdata.get_worker_info() is None


def test_workers_iterable_dataset_and_persistent_epochs():
    loader = jdata.DataLoader(_Stream(), batch_size=3, num_workers=2, persistent_workers=True)
    for _ in range(2):
        got = sorted(v for b in loader for v in b.tolist())
        assert got == list(range(17))


class _Broken(jdata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError("boom")
        return i


def test_worker_exception_is_reraised():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(jdata.DataLoader(_Broken(), batch_size=1, num_workers=2))
