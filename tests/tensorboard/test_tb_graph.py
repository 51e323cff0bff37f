"""add_graph: the GraphDef and RunMetadata read back with TensorBoard's EventAccumulator.

torch's own add_graph on the same model is the reference for module scopes and IO shapes.
"""

import sys
import textwrap
import time

import pytest
from tensorboard.backend.event_processing import event_accumulator as ea

import jtorch
import jtorch.utils
import jtorch.utils.tensorboard
from jtorch import nn
from jtorch.autograd.function import Function
from jtorch.utils.tensorboard import SummaryWriter, _graph


def write_graph(tmp_path, model, inputs, **kwargs) -> ea.EventAccumulator:
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, inputs, **kwargs)
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    return acc


def nodes_of(graph_def) -> dict:
    return {n.name: n for n in graph_def.node}


def shapes(node) -> list:
    return [[d.size for d in s.dim] for s in node.attr["_output_shapes"].list.shape]


def scopes(graph_def) -> set:
    """Module scopes (``Net``, ``Net/Linear[fc1]``, ...) that hold op nodes."""
    return {n.name.rpartition("/")[0] for n in graph_def.node if n.op.startswith("aten::")}


def make_net(lib):
    """The same model class for jtorch's and torch's nn (``lib``), named ``Net``."""

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.Linear(2, 4)
            self.act = lib.ReLU()
            self.seq = lib.Sequential(lib.Linear(4, 3), lib.Tanh())

        def forward(self, x):
            return self.seq(self.act(self.fc1(x))) * 2 + x.sum()

    return Net()


def test_seed_note_usage_unchanged(tmp_path, monkeypatch):
    # NOTE: the seed note imports `torch`; here that name is jtorch, as `import jtorch as torch`
    # users get by aliasing the module.
    for name, module in {
        "torch": jtorch,
        "torch.nn": nn,
        "torch.utils": jtorch.utils,
        "torch.utils.tensorboard": jtorch.utils.tensorboard,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    code = textwrap.dedent(
        """
        import torch
        from torch import nn
        class Net(nn.Module):
            def __init__(self):
                super(Net, self).__init__()
                self.w = nn.Parameter(torch.randn(2,1))
                self.b = nn.Parameter(torch.zeros(1,1))
            def forward(self, x):
                return x@self.w + self.b
        net = Net()
        from torch.utils.tensorboard import SummaryWriter
        writer = SummaryWriter(LOGDIR)
        writer.add_graph(net, input_to_model=torch.rand(10,2))
        writer.close()
        """
    )
    exec(code, {"LOGDIR": str(tmp_path)})
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    g = nodes_of(acc.Graph())
    assert list(g) == ["input/x", "Net/w", "Net/mm", "Net/b", "Net/add", "output/output.1"]
    assert list(g["Net/mm"].input) == ["input/x", "Net/w"]
    assert list(g["output/output.1"].input) == ["Net/add"]
    assert shapes(g["Net/add"]) == [[10, 1]]
    assert g["Net/w"].attr["attr"].s == b"{ name : w }"


def test_scopes_and_io_match_torch(tmp_path, torch):
    jt = write_graph(tmp_path / "jt", make_net(nn), jtorch.rand(10, 2)).Graph()
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    with TorchWriter(str(tmp_path / "torch")) as w:
        w.add_graph(make_net(torch.nn), torch.rand(10, 2))
    acc = ea.EventAccumulator(str(tmp_path / "torch"))
    acc.Reload()
    ref = acc.Graph()
    assert (
        scopes(jt)
        == scopes(ref)
        == {
            "Net",
            "Net/Linear[fc1]",
            "Net/ReLU[act]",
            "Net/Sequential[seq]/Linear[0]",
            "Net/Sequential[seq]/Tanh[1]",
        }
    )
    ours, theirs = nodes_of(jt), nodes_of(ref)
    assert shapes(ours["input/x"]) == shapes(theirs["input/x"]) == [[10, 2]]
    assert shapes(ours["output/output.1"]) == shapes(theirs["output/output.1"]) == [[10, 3]]
    # the same aten op names where torch records the same primitive
    for scope, op in [
        ("Net/ReLU[act]", "aten::relu"),
        ("Net/Sequential[seq]/Tanh[1]", "aten::tanh"),
    ]:
        assert {n.op for n in jt.node if n.name.startswith(scope + "/")} == {op}
        assert {n.op for n in ref.node if n.name.startswith(scope + "/")} == {op}
    assert jt.versions.producer == ref.versions.producer == 22


def test_graph_wiring_shapes_and_dtypes(tmp_path):
    g = write_graph(tmp_path, make_net(nn), jtorch.rand(10, 2)).Graph()
    nodes = nodes_of(g)
    fc1 = "Net/Linear[fc1]"
    assert list(nodes[f"{fc1}/addmm"].input) == [f"{fc1}/bias", "input/x", f"{fc1}/t"]
    assert list(nodes[f"{fc1}/t"].input) == [f"{fc1}/weight"]
    assert nodes[f"{fc1}/weight"].op == "prim::GetAttr"
    assert nodes[f"{fc1}/weight"].attr["attr"].s == b"{ name : fc1.weight }"
    assert nodes["Net/Sequential[seq]/Linear[0]/bias"].attr["attr"].s == b"{ name : seq.0.bias }"
    assert shapes(nodes[f"{fc1}/weight"]) == [[4, 2]]
    assert shapes(nodes["Net/sum"]) == [[]]
    assert nodes["Net/mul"].attr["attr"].s == b"{ input1 : 2 }"
    for n in g.node:  # every input names an earlier node; every node has a shape and dtype
        assert all(i.partition(":")[0] in nodes for i in n.input), n.name
        assert n.attr["dtype"].type == 1  # DT_FLOAT
        assert n.device == "/device:CPU:0"
        assert shapes(n)


def test_run_metadata_time_and_memory(tmp_path):
    acc = write_graph(tmp_path, make_net(nn), jtorch.rand(10, 2))
    ops = {n.name: n for n in acc.Graph().node if n.op.startswith("aten::")}
    (device,) = acc.RunMetadata("step1").step_stats.dev_stats
    assert device.device == "/device:CPU:0"
    stats = {s.node_name: s for s in device.node_stats}
    assert set(stats) == set(ops)
    for name, s in stats.items():
        assert s.all_end_rel_micros >= 1 and s.all_start_micros > 0
        assert s.all_end_rel_nanos > 0 and s.all_start_nanos // 1000 == s.all_start_micros
        (out,) = s.output
        assert [d.size for d in out.tensor_description.shape.dim] == shapes(ops[name])[0]
    addmm = stats["Net/Linear[fc1]/addmm"]
    assert addmm.memory[0].total_bytes == 10 * 4 * 4
    assert addmm.output[0].tensor_description.allocation_description.requested_bytes == 160
    assert stats["Net/Linear[fc1]/t"].memory[0].total_bytes == 0  # a view allocates nothing
    starts = [s.all_start_nanos for s in device.node_stats]
    assert starts == sorted(starts)


class MultiOut(nn.Module):
    def forward(self, x):
        values, indices = x.max(dim=1)
        return values + jtorch.ones(3), indices.float()


def test_multi_output_constants_and_tuple_outputs(tmp_path):
    g = nodes_of(write_graph(tmp_path, MultiOut(), jtorch.rand(3, 4)).Graph())
    assert shapes(g["MultiOut/max"]) == [[3], [3]]
    assert g["MultiOut/max"].attr["dtype"].list.type == [1, 9]  # float32, int64
    assert list(g["MultiOut/add"].input) == ["MultiOut/max", "MultiOut/constant"]
    assert g["MultiOut/constant"].op == "prim::Constant"
    (cast,) = [n for n in g.values() if list(n.input) == ["MultiOut/max:1"]]
    assert cast.op.startswith("aten::")
    assert list(g["output/output.2"].input) == [cast.name]


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, y):
        return self.lin(self.lin(x)) + y


def test_reused_module_named_inputs_and_unique_names(tmp_path):
    g = nodes_of(write_graph(tmp_path, Twice(), (jtorch.rand(2, 3), jtorch.rand(2, 3))).Graph())
    assert "input/x" in g and "input/y" in g
    assert {"Twice/Linear[lin]/addmm", "Twice/Linear[lin]/addmm_1"} <= set(g)
    assert list(g["Twice/Linear[lin]/addmm_1"].input)[1] == "Twice/Linear[lin]/addmm"
    assert sum(n.endswith("/weight") for n in g) == 1  # one parameter node, used twice


def test_plain_function_and_verbose(tmp_path, capsys):
    def f(x):
        return (x * 2).exp()

    g = nodes_of(write_graph(tmp_path, f, jtorch.ones(2), verbose=True).Graph())
    assert list(g) == ["input/x", "f/mul", "f/exp", "output/output.1"]
    assert "f/exp = aten::exp(f/mul) : [2]" in capsys.readouterr().out


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)

    def forward(self, x):
        self.lin(x)
        raise RuntimeError("broken forward")


def test_error_restores_apply_and_removes_hooks(tmp_path):
    apply_before = Function.__dict__["apply"]
    model = Broken()
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(RuntimeError, match="broken forward"):
            w.add_graph(model, jtorch.rand(1, 2))
    assert Function.__dict__["apply"] is apply_before
    for m in model.modules():
        assert not m._forward_hooks and not m._forward_pre_hooks
    assert model.lin(jtorch.ones(1, 2)).shape == (1, 2)


class DictOut(nn.Module):
    def forward(self, x):
        return {"a": x + 1, "b": [x * 2]}


def test_strict_trace_rejects_containers(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(RuntimeError, match="Encountering a dict at the output of the tracer"):
            w.add_graph(DictOut(), jtorch.ones(2))
    g = nodes_of(
        write_graph(tmp_path / "loose", DictOut(), jtorch.ones(2), use_strict_trace=False).Graph()
    )
    assert list(g["output/output.1"].input) == ["DictOut/add"]
    assert list(g["output/output.2"].input) == ["DictOut/mul"]


class Deep(nn.Module):
    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def forward(self, x):
        for _ in range(self.n):
            x = (x * 1.0001).relu()
        return x


def test_10000_ops_export_within_5_seconds(tmp_path):
    # NOTE: the export (recorded run, GraphDef and RunMetadata) is timed; writing the events
    # adds tensorboardX's CRC, pure Python unless the `crc32c` package is installed.
    start = time.perf_counter()
    graph_def, run_metadata = _graph.graph(Deep(5000), jtorch.ones(4))
    elapsed = time.perf_counter() - start
    assert elapsed <= 5.0, f"exporting 10,000 ops took {elapsed:.2f} s"
    with SummaryWriter(tmp_path) as w:
        w._get_file_writer().add_graph((graph_def, run_metadata))
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    g = acc.Graph()
    assert len(g.node) == 10_002  # input, 10,000 ops, output
    assert g.node[-2].name == "Deep/relu_4999"
    assert list(g.node[-1].input) == ["Deep/relu_4999"]
    assert len(acc.RunMetadata("step1").step_stats.dev_stats[0].node_stats) == 10_000
