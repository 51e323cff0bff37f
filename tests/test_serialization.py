"""save/load against torch 2.13 in both directions, the weights-only guard and atomic writes."""

import collections
import io
import os
import pickle

import numpy as np
import pytest
from conftest import torch_oracle

import jtorch
from jtorch import serialization

torch = torch_oracle()

DTYPES = ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")


def _payload(lib):
    """Tensors of several dtypes, views sharing storage, nested containers, a Parameter."""
    base = lib.arange(12.0).view(3, 4)
    out = collections.OrderedDict()
    for i, name in enumerate(DTYPES):
        out[name] = lib.tensor(np.arange(6).reshape(2, 3) % 2 + i, dtype=getattr(lib, name))
    out["base"] = base
    out["row"] = base[1]
    out["col"] = base[:, 2]
    out["t"] = base.t()
    out["scalar"] = lib.tensor(2.5, dtype=lib.float64)
    out["empty"] = lib.zeros(0, 3)
    out["nested"] = {"list": [lib.ones(2), (3, "x")], "dtype": lib.float16, "size": lib.Size([2])}
    out["param"] = lib.nn.Parameter(lib.tensor([1.0, -1.0]))
    return out


def _plain(x):
    if isinstance(x, (jtorch.Tensor, torch.Tensor)):
        return (type(x).__name__, str(x.dtype), x.requires_grad, x.detach().numpy().tolist())
    if isinstance(x, dict):
        return type(x).__name__, {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [_plain(v) for v in x]
    return str(x)


def test_jtorch_save_torch_load(tmp_path):
    path = tmp_path / "j.pt"
    jtorch.save(_payload(jtorch), path)
    loaded = torch.load(path, weights_only=True)
    assert _plain(loaded) == _plain(_payload(torch))
    # views were saved as one storage: a write through the view is seen by the base
    loaded["row"][0] = 100.0
    assert loaded["base"][1, 0].item() == 100.0 and loaded["t"][0, 1].item() == 100.0


def test_torch_save_jtorch_load(tmp_path):
    path = tmp_path / "t.pt"
    torch.save(_payload(torch), path)
    loaded = jtorch.load(str(path))
    assert _plain(loaded) == _plain(_payload(jtorch))
    assert isinstance(loaded["param"], jtorch.nn.Parameter)
    loaded["col"][1] = -5.0
    assert loaded["base"][1, 2].item() == -5.0


def test_file_objects_map_location_and_mmap(tmp_path):
    buf = io.BytesIO()
    jtorch.save([jtorch.ones(3)], buf)
    for loc in ("cpu", jtorch.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage):
        buf.seek(0)
        assert jtorch.load(buf, map_location=loc)[0].tolist() == [1.0, 1.0, 1.0]
    path = tmp_path / "m.pt"
    torch.save({"w": torch.arange(5.0)}, path)
    assert jtorch.load(path, mmap=True)["w"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    if not jtorch.cuda.is_available():
        buf.seek(0)
        with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available"):
            jtorch.load(buf, map_location="cuda")


def test_module_state_dict_round_trip(tmp_path):
    model = jtorch.nn.Linear(3, 2)
    path = tmp_path / "sd.pt"
    jtorch.save(model.state_dict(), path)
    tmodel = torch.nn.Linear(3, 2)
    tmodel.load_state_dict(torch.load(path))
    np.testing.assert_array_equal(tmodel.weight.detach().numpy(), model.weight.detach().numpy())
    torch.save(tmodel.state_dict(), path)
    fresh = jtorch.nn.Linear(3, 2)
    fresh.load_state_dict(jtorch.load(path))
    np.testing.assert_array_equal(fresh.bias.detach().numpy(), tmodel.bias.detach().numpy())


Point = collections.namedtuple("Point", "x y")


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_weights_only_refuses_arbitrary_globals(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"x": torch.ones(1), "evil": _Evil()}, path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as err:
        jtorch.load(path)
    assert "GLOBAL posix.system" in str(err.value) or "GLOBAL nt.system" in str(err.value)
    point_path = tmp_path / "point.pt"
    jtorch.save({"p": Point(1, jtorch.ones(1))}, point_path)
    with pytest.raises(pickle.UnpicklingError, match="Point"):
        jtorch.load(point_path)
    with serialization.safe_globals([Point]):
        assert jtorch.load(point_path)["p"].x == 1
    assert jtorch.load(point_path, weights_only=False)["p"].y.tolist() == [1.0]


def test_whole_object_with_weights_only_false(tmp_path):
    model = jtorch.nn.Linear(2, 2)
    path = tmp_path / "model.pt"
    jtorch.save(model, path)
    loaded = jtorch.load(path, weights_only=False)
    assert type(loaded) is jtorch.nn.Linear
    np.testing.assert_array_equal(loaded.weight.detach().numpy(), model.weight.detach().numpy())


class _FailsToPickle:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


def test_atomic_write_leaves_no_partial_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    jtorch.save({"ok": jtorch.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="cannot pickle this"):
        jtorch.save({"x": jtorch.ones(1000), "bad": _FailsToPickle()}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]
    with pytest.raises(RuntimeError):
        jtorch.save({"bad": _FailsToPickle()}, tmp_path / "new.pt")
    assert not (tmp_path / "new.pt").exists()


def test_safetensors_round_trip(tmp_path):
    tensors = {"a": jtorch.arange(6.0).view(2, 3), "b": jtorch.tensor([1, 2], dtype=jtorch.int64)}
    path = tmp_path / "w.safetensors"
    serialization.save_file(tensors, path, metadata={"format": "pt"})
    loaded = serialization.load_file(path)
    assert _plain(loaded) == _plain(tensors)
    header_len = int.from_bytes(path.read_bytes()[:8], "little")
    assert header_len % 8 == 0 and b'"dtype":"F32"' in path.read_bytes()[8 : 8 + header_len]
