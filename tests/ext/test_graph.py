"""%graph / %%graph in a real IPython shell, and the pure make_dot API."""

import html
import re
import time

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import jtorch
import jtorch.nn as nn
import jtorch.nn.functional as F
from jtorch.autograd.function import Function
from jtorch_ext import GradientFlow, make_dot
from jtorch_ext.graphviz import EXPLODING, VANISHING, params_from_namespace, render


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, x):
        return F.relu(self.norm(self.fc(x)) + x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(3, 4)
        self.blocks = nn.Sequential(Block(), Block())
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x).tanh()))


@pytest.fixture
def ip():
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jtorch_ext")
    jtorch.manual_seed(0)
    shell.user_ns.update(jtorch=jtorch, model=Net(), x=jtorch.randn(5, 3), Net=Net)
    yield shell
    shell.extension_manager.unload_extension("jtorch_ext")
    for name in ("jtorch", "model", "x", "Net", "w", "y", "loss", "flow", "n", "big", "out"):
        shell.user_ns.pop(name, None)


def graph(ip, line: str, cell: str | None = None) -> tuple[str, list[str]]:
    """Run %graph (or %%graph) and return (printed text, SVG documents displayed)."""
    with capture_output() as cap:
        if cell is None:
            ip.run_line_magic("graph", line)
        else:
            ip.run_cell_magic("graph", line, cell)
    return cap.stdout, [o.data["image/svg+xml"] for o in cap.outputs]


def texts(svg: str) -> list[str]:
    """Every text line drawn in an SVG."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


# -- %graph -------------------------------------------------------------------------------------
def test_svg_has_grad_fn_and_parameter_names(ip):
    out, (svg,) = graph(ip, "model(x).sum()")
    assert out == ""
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    drawn = texts(svg)
    for name in ("SumBackward0", "AddmmBackward0", "TanhBackward0", "NativeLayerNormBackward0"):
        assert name in drawn
    for name in ("stem.weight", "stem.bias", "blocks.0.fc.weight", "blocks.1.norm.bias"):
        assert name in drawn
    assert "(4, 3)" in drawn and "(2,)" in drawn  # stem.weight and head.bias shapes
    # module clusters from the recorded scopes, nested
    for title in ("blocks (Sequential)", "blocks.0 (Block)", "blocks.0.fc (Linear)"):
        assert title in drawn
    assert ip.user_ns["model"]._forward_hooks == {}
    assert "Function.apply" not in repr(Function.__dict__["apply"])


def test_leaf_tensors_named_from_namespace(ip):
    ip.user_ns["w"] = jtorch.ones(3, requires_grad=True)
    _, (svg,) = graph(ip, "(w * 2).exp().sum()")
    drawn = texts(svg)
    assert drawn[:0] == [] and "w" in drawn and "ExpBackward0" in drawn and "MulBackward0" in drawn


def test_params_option(ip):
    ip.user_ns["w"] = jtorch.ones(2, requires_grad=True)
    _, (svg,) = graph(ip, """--params '{"weights": w}' (w * w).sum()""")
    assert "weights" in texts(svg)
    _, (svg,) = graph(ip, "--params model.head model.head(jtorch.ones(1, 4))")
    assert {"weight", "bias", "AddmmBackward0"} <= set(texts(svg))


def test_depth_collapses_modules(ip):
    _, (svg,) = graph(ip, "--depth 1 model(x).sum()")
    drawn = texts(svg)
    assert "blocks: Sequential" in drawn and "stem: Linear" in drawn and "head: Linear" in drawn
    assert "AddmmBackward0" not in drawn and "TanhBackward0" in drawn
    _, (svg,) = graph(ip, "--depth 0 model(x).sum()")
    assert "Net" in texts(svg) and "TanhBackward0" not in texts(svg)
    _, (svg,) = graph(ip, "--depth 2 model(x).sum()")
    drawn = texts(svg)
    assert "blocks.0: Block" in drawn and "blocks (Sequential)" in drawn


def test_scopes_without_tracing_come_from_parameters(ip):
    ip.run_cell("loss = model(x).sum()")
    _, (svg,) = graph(ip, "loss")
    drawn = texts(svg)
    assert "stem (Linear)" in drawn and "blocks.1.fc (Linear)" in drawn


def test_saved_tensors(ip):
    _, (svg,) = graph(ip, "--saved model(x).sum()")
    assert any(t.startswith("saved[0]: (5, 3) float32") for t in texts(svg))
    ip.run_cell("loss = model(x).sum()\nloss.backward()")
    _, (svg,) = graph(ip, "--saved loss")
    assert "saved: freed by backward" in texts(svg)


def test_edge_shapes_and_options_end_marker(ip):
    _, (svg,) = graph(ip, "--shapes model(x).sum()")
    drawn = texts(svg)
    assert " (5, 2)" in drawn and " (4, 3)" in drawn  # head output and stem.weight edges
    ip.user_ns["w"] = jtorch.ones(2, requires_grad=True)
    _, (svg,) = graph(ip, "--rankdir LR -- -w.sum()")
    assert "NegBackward0" in texts(svg)
    with pytest.raises(UsageError, match="write `-- EXPR`"):
        ip.run_line_magic("graph", "-w.sum()")


def test_backward_gradient_norms_and_colours(ip):
    ip.user_ns["w"] = w = jtorch.tensor([3.0, 4.0], requires_grad=True)
    _, (svg,) = graph(ip, "--backward (w.exp() * 1e-9).sum() + (w * w).sum() * 1e4")
    drawn = texts(svg)
    grad = 2e4 * np.array([3.0, 4.0]) + 1e-9 * np.exp([3.0, 4.0])
    np.testing.assert_allclose(w.grad.numpy(), grad)
    assert f"‖grad‖={np.linalg.norm(grad):.3g}" in drawn  # the leaf w: exploding
    i = drawn.index("ExpBackward0")  # receives 1e-9 per element: vanishing
    assert drawn[i + 1] == "‖grad‖=1.41e-09"
    assert 'fill="#fb6a4a"' in svg and 'fill="#9ecae1"' in svg
    assert "‖grad‖: blue < 1e-06 (vanishing), red > 1000 or not finite (exploding)" in drawn
    assert w.grad.norm().item() > EXPLODING and 1e-9 < VANISHING


def test_gradient_flow_recorded_by_user(ip):
    ip.run_cell(
        "from jtorch_ext import GradientFlow\n"
        "loss = model(x).pow(2).mean()\n"
        "with GradientFlow(loss) as flow:\n"
        "    loss.backward()\n"
    )
    _, (svg,) = graph(ip, "--grads flow loss")
    assert sum(t.startswith("‖grad‖=") for t in texts(svg)) >= 20


def test_cell_magic_graphs_last_expression(ip):
    out, (svg,) = graph(ip, "--rankdir LR", "h = model.stem(x)\ny = h.sigmoid()\ny.mean()")
    drawn = texts(svg)
    assert "MeanBackward0" in drawn and "SigmoidBackward0" in drawn and "stem.weight" in drawn
    assert ip.user_ns["y"].shape == (5, 4)
    with pytest.raises(UsageError, match="the cell must end with an expression"):
        ip.run_cell_magic("graph", "", "y = model(x)")


def test_tuple_and_dict_outputs(ip):
    ip.user_ns["w"] = jtorch.ones(2, requires_grad=True)
    _, (svg,) = graph(ip, "(w.exp(), w.sin())")
    assert {"output[0]", "output[1]"} <= set(texts(svg))
    _, (svg,) = graph(ip, '{"a": w.exp(), "b": [w.cos()]}')
    assert {"output['a']", "output['b'][0]"} <= set(texts(svg))


@pytest.mark.parametrize("ext, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_save(ip, tmp_path, ext, magic):
    path = tmp_path / f"g.{ext}"
    out, svgs = graph(ip, f"--save {path} model(x).sum()")
    assert out == f"saved {path}\n" and len(svgs) == 1
    assert path.read_bytes().startswith(magic)


def test_save_dot(ip, tmp_path):
    path = tmp_path / "g.dot"
    graph(ip, f"--save {path} model(x).sum()")
    text = path.read_text()
    assert text.startswith("digraph {") and "AddmmBackward0" in text


def test_max_nodes_collapses_and_says_so(ip):
    ip.user_ns["w"] = jtorch.ones(2, requires_grad=True)
    ip.run_cell("y = w\nfor _ in range(50):\n    y = y.sin()")
    out, (svg,) = graph(ip, "--max-nodes 10 y")
    assert "the graph has 51 autograd nodes; drawing 10" in out
    assert "... 41 more autograd nodes not drawn" in texts(svg)
    assert sum(t == "SinBackward0" for t in texts(svg)) == 10


def test_missing_dot_prints_hint_and_dot_source(ip, monkeypatch):
    monkeypatch.setenv("PATH", "")
    out, svgs = graph(ip, "model(x).sum()")
    assert svgs == []
    assert "apt-get install graphviz" in out
    assert "digraph {" in out and "AddmmBackward0" in out


@pytest.mark.parametrize(
    "line, message",
    [
        ("", "give an expression"),
        ("nope(x)", "%graph: name 'nope' is not defined"),
        ("--params nope model(x)", "--params: name 'nope' is not defined"),
        ("--params n model(x)", "--params must be an nn.Module or a dict"),
        ("n + 1", "n + 1 is a int, not a tensor"),
        ("--rankdir XY model(x)", "argument --rankdir: invalid choice: 'XY'"),
        ("--bogus model(x)", "unrecognized option '--bogus'"),
        ("--max-nodes 0 model(x)", "--max-nodes must be at least 1"),
        ("--depth -1 model(x)", "--depth must be >= 0"),
        ("--save g.jpg model(x)", "cannot tell the format of 'g.jpg'"),
        ("--backward model(x)", "--backward needs one scalar output"),
        ("--grads n model(x)", "--grads must name a jtorch_ext.GradientFlow"),
        ("(x +", "invalid expression"),
    ],
)
def test_usage_errors(ip, line, message):
    ip.user_ns["n"] = 3
    with pytest.raises(UsageError, match=re.escape(message)):
        ip.run_line_magic("graph", line)


def test_depth_needs_module_names(ip):
    for name in ("model", "Net"):
        ip.user_ns.pop(name)
    ip.user_ns["w"] = jtorch.ones(2, requires_grad=True)
    with pytest.raises(UsageError, match="--depth needs module names"):
        ip.run_line_magic("graph", "--depth 1 w.sum()")


def test_error_in_expression_leaves_no_hooks(ip):
    model = ip.user_ns["model"]
    apply = Function.__dict__["apply"]
    with pytest.raises(RuntimeError):
        ip.run_line_magic("graph", "model(jtorch.ones(2, 7))")
    assert Function.__dict__["apply"] is apply
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


# -- the pure API -------------------------------------------------------------------------------
def test_make_dot_returns_digraph_with_names():
    model = nn.Linear(3, 2)
    g = make_dot(model(jtorch.ones(4, 3)).mean(), params=model)
    assert type(g).__mro__[1].__name__ == "Digraph"
    svg = render(g)
    drawn = texts(svg)
    assert {"MeanBackward0", "AddmmBackward0", "TBackward0", "weight", "bias"} <= set(drawn)
    assert g.nodes_drawn == g.nodes_total == 5 and not g.truncated


def test_no_grad_output_is_said():
    g = make_dot(jtorch.ones(2) * 2)
    assert "no autograd graph" in g.source


def test_loss_module_beside_the_model(ip):
    ip.user_ns["loss_fn"] = nn.MSELoss()
    _, (svg,) = graph(ip, "loss_fn(model(x), jtorch.zeros(5, 2))")
    drawn = texts(svg)
    assert "stem.weight" in drawn and "MseLossBackward0" in drawn
    assert "loss_fn (MSELoss)" in drawn
    ip.user_ns.pop("loss_fn")


def test_params_from_namespace_prefixes_several_models():
    a, b = nn.Linear(1, 1), nn.Linear(1, 1)
    found = params_from_namespace({"a": a, "b": b, "_hidden": nn.ReLU()})
    assert set(found) == {"a", "b"}
    g = make_dot(a(b(jtorch.ones(1, 1))).sum(), params=found)
    assert "a.weight" in g.source and "b.bias" in g.source


def test_gradient_flow_norms():
    x = jtorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).sum()
    with GradientFlow(y) as flow:
        y.backward()
    mul = y.grad_fn.next_functions[0][0]
    assert flow.norms[mul] == pytest.approx(np.sqrt(2))
    assert mul._post_hooks == {} or not mul._post_hooks


def test_shared_weight_graph_uses_precomputed_layout():
    # an unrolled recurrence: dot alone takes minutes on the long edges from the shared weight
    lin = nn.Linear(4, 4)
    h = jtorch.zeros(1, 4)
    for _ in range(100):
        h = lin(h).tanh()
    start = time.perf_counter()
    g = make_dot(h.sum(), params=lin)
    svg = render(g)
    assert g.pinned and g.nodes_total == 303
    assert "weight" in texts(svg)
    assert time.perf_counter() - start <= 2.0


def test_ten_thousand_nodes_within_two_seconds():
    x = jtorch.ones(3, requires_grad=True)
    y = x
    for _ in range(9998):
        y = y * 1.0001
    y = y.sum()
    start = time.perf_counter()
    g = make_dot(y, params={"x": x})
    svg = render(g, "svg")
    elapsed = time.perf_counter() - start
    assert g.nodes_total == 10_000 and not g.truncated
    assert svg.count('class="node"') == 10_001  # with the output
    assert elapsed <= 2.0, f"{elapsed:.2f} s"
