"""%load_ext jtorch_ext and %tensor_summary in a real IPython shell; the pure summary API."""

import math
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import jtorch
import jtorch.nn as nn
import jtorch_ext
from jtorch.autograd.function import Function
from jtorch_ext import summary as summary_fn
from jtorch_ext import tensor_stats

summary_module = sys.modules["jtorch_ext.summary"]


@pytest.fixture
def ip():
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jtorch_ext")
    yield shell
    shell.extension_manager.unload_extension("jtorch_ext")
    for name in ("x", "y", "w", "p", "a", "d", "model", "inp", "n"):
        shell.user_ns.pop(name, None)


def run(ip, capsys, line: str) -> str:
    ip.run_line_magic("tensor_summary", line)
    return capsys.readouterr().out


def field(text: str, key: str) -> float:
    """The number after ``key`` in a summary line (μ=, σ=, zeros=, ...)."""
    return float(re.search(re.escape(key) + r"(-?[0-9.e+-]+|nan)", text).group(1))


# -- loading ------------------------------------------------------------------------------------
def test_load_registers_and_unload_removes_everything():
    shell = InteractiveShell.instance()
    html = shell.display_formatter.formatters["text/html"]
    before = dict(html.type_printers)
    shell.extension_manager.load_extension("jtorch_ext")
    jtorch_ext.load_ipython_extension(shell)  # a second load is harmless
    line = shell.magics_manager.magics["line"]
    assert {"tensor_summary", "graph", "jtorch_display"} <= set(line)
    assert "graph" in shell.magics_manager.magics["cell"]
    assert jtorch.Tensor in html.type_printers
    shell.run_line_magic("reload_ext", "jtorch_ext")
    assert "graph" in shell.magics_manager.magics["line"]
    shell.extension_manager.unload_extension("jtorch_ext")
    assert not {"tensor_summary", "graph", "jtorch_display"} & set(line)
    assert "graph" not in shell.magics_manager.magics["cell"]
    assert "JtorchMagics" not in shell.magics_manager.registry
    assert html.type_printers == before
    with pytest.raises(UsageError):
        shell.run_line_magic("tensor_summary", "x")


def test_import_needs_no_ipython_and_jtorch_never_imports_it():
    code = (
        "import sys; sys.modules['IPython'] = None\n"
        "import jtorch, jtorch_ext\n"
        "print(jtorch_ext.summary(jtorch.ones(2), 'o'))\n"
        "print(jtorch_ext.make_dot((jtorch.ones(1, requires_grad=True) * 2).sum()).source.count('->'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("o: tensor[2] float32 cpu n=2 (8 B) x∈[1, 1] μ=1 σ=0")
    assert out.stdout.split("\n")[1] == "3"
    code = "import sys, jtorch; print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- %tensor_summary ----------------------------------------------------------------------------
def test_exact_counts_and_stats(ip, capsys):
    ip.user_ns["x"] = jtorch.tensor([[1.0, 2.0, float("nan")], [float("inf"), -float("inf"), 0.0]])
    out = run(ip, capsys, "x")
    assert out == (
        "x: tensor[2, 3] float32 cpu n=6 (24 B) x∈[0, 2] μ=1 σ=1 zeros=1 nan=1 +inf=1 -inf=1 "
        "▕█       █       █▏\n"
    )


def test_stats_match_numpy(ip, capsys):
    a = np.random.default_rng(0).normal(3.0, 2.0, (64, 33)).astype(np.float32)
    a[a < 0.5] = 0.0
    ip.user_ns["x"] = jtorch.from_numpy(a)
    out = run(ip, capsys, "x")
    assert out.startswith("x: tensor[64, 33] float32 cpu n=2112 (8.2 KiB) ")
    finite = a.astype(np.float64)
    lo, hi = re.search(r"x∈\[(\S+), (\S+)\]", out).groups()
    assert float(lo) == finite.min()
    assert float(hi) == pytest.approx(finite.max(), rel=1e-3)
    assert field(out, "μ=") == pytest.approx(finite.mean(), rel=1e-3)
    assert field(out, "σ=") == pytest.approx(finite.std(ddof=1), rel=1e-3)
    assert field(out, "zeros=") == (a == 0).sum()
    assert re.search(r"▕[▁▂▃▄▅▆▇█ ]+▏", out)


def test_autograd_state_and_grad_stats(ip, capsys):
    w = jtorch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    ip.user_ns["w"] = w
    assert "requires_grad grad=None" in run(ip, capsys, "w")
    ip.user_ns["y"] = w * 2
    assert "grad_fn=MulBackward0" in run(ip, capsys, "y")
    (w * w).sum().backward()
    out = run(ip, capsys, "w")
    grad_line = out.split("\n")[1]
    g = np.array([2.0, -4.0, 6.0])
    assert grad_line.startswith("  grad: x∈[-4, 6] μ=1.333 σ=5.033 ")
    assert field(grad_line, "‖g‖=") == pytest.approx(np.linalg.norm(g), rel=1e-3)


def test_arrays_parameters_and_containers(ip, capsys):
    ip.user_ns["a"] = np.arange(4, dtype=np.int64)
    assert run(ip, capsys, "a").startswith("a: ndarray[4] int64 cpu n=4 (32 B) x∈[0, 3] μ=1.5")
    ip.user_ns["a"] = np.array([3 + 4j, 0j])
    assert "|x|∈[0, 5] μ=2.5" in run(ip, capsys, "a")
    ip.user_ns["p"] = nn.Parameter(jtorch.ones(2))
    assert run(ip, capsys, "p").startswith("p: parameter[2] float32")
    ip.user_ns["d"] = {"w": jtorch.zeros(2), "b": [jtorch.ones(1), np.zeros(3)]}
    lines = run(ip, capsys, "d").splitlines()
    assert [line.split(":")[0] for line in lines] == ["d['w']", "d['b'][0]", "d['b'][1]"]


def test_several_names_and_attribute_paths(ip, capsys):
    ip.user_ns["model"] = nn.Linear(3, 2)
    ip.user_ns["x"] = jtorch.ones(2)
    out = run(ip, capsys, "x model.weight model.bias")
    assert [line.split(":")[0] for line in out.splitlines()] == ["x", "model.weight", "model.bias"]
    assert "parameter[2, 3]" in out


def test_expression_option(ip, capsys):
    ip.user_ns["x"] = jtorch.arange(6.0).reshape(2, 3)
    out = run(ip, capsys, '-e "x * 2" x[1] x.sum(0)')
    names = [line.split(":")[0] for line in out.splitlines()]
    assert names == ["x * 2", "x[1]", "x.sum(0)"]
    assert "x∈[0, 10]" in out.splitlines()[0]
    assert "x∈[3, 5] μ=4" in out.splitlines()[1]


def test_histogram_and_per_channel(ip, capsys):
    a = np.random.default_rng(1).normal(size=(3, 50)).astype(np.float32)
    ip.user_ns["x"] = jtorch.from_numpy(a)
    out = run(ip, capsys, "x --hist --bins 5")
    rows = out.splitlines()[1:]
    assert len(rows) == 5
    counts = [int(r.split()[-1]) for r in rows]
    assert counts == np.histogram(a, bins=5)[0].tolist()
    out = run(ip, capsys, "x --dim 0")
    table = out.splitlines()[2:]
    assert len(table) == 3
    for i, row in enumerate(table):
        cols = row.split()
        assert int(cols[0]) == i
        assert float(cols[1]) == pytest.approx(a[i].min(), rel=1e-3)
        assert float(cols[3]) == pytest.approx(a[i].mean(), rel=1e-3, abs=1e-4)
        assert float(cols[4]) == pytest.approx(a[i].std(ddof=1), rel=1e-3)


def test_module_tables(ip, capsys):
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 30 * 30, 10))
    ip.user_ns["model"] = model
    out = run(ip, capsys, "model --input-size 1 3 32 32")
    assert "Total params: 36,122" in out
    conv_macs = 4 * 30 * 30 * 3 * 3 * 3
    assert f"Total mult-adds (MACs): {conv_macs + 3600 * 10:,}" in out
    assert re.search(r"0: Conv2d\s+\[1, 4, 30, 30\]\s+112", out)
    ip.user_ns["inp"] = jtorch.randn(2, 3, 32, 32)
    out = run(ip, capsys, "model --input inp --depth 0")
    assert "Sequential    [2, 10]" in out and "Conv2d" not in out
    assert "Total params: 36,122" in run(ip, capsys, "model")
    ip.user_ns["model"] = nn.Bilinear(3, 4, 2)
    out = run(ip, capsys, "model --input-size 5 3 --input-size 5 4")
    assert "Bilinear      [5, 2]" in out and "Input size: 140 B" in out


@pytest.mark.parametrize(
    "line, message",
    [
        ("nope", "name 'nope' is not defined"),
        ("x.nope", "'x' (Tensor) has no attribute 'nope'"),
        ("x[0]", "'x[0]' is not a variable name; use -e"),
        ("-e nope[0]", "name 'nope' is not defined"),
        ("-e 'x +'", "invalid expression 'x +'"),
        ("n", "n is a int, not a tensor"),
        ("x --bogus", "unrecognized arguments: --bogus"),
        ("x --dim 2", "--dim 2 is out of range for x (1-d)"),
        ("x --input-size 1 2", "--input-size and --input apply to an nn.Module only"),
        ("x --bins 0", "--bins must be at least 1"),
        ("", "give one or more names"),
    ],
)
def test_usage_errors(ip, line, message):
    ip.user_ns["x"] = jtorch.ones(3)
    ip.user_ns["n"] = 3
    with pytest.raises(UsageError, match=re.escape(message)):
        ip.run_line_magic("tensor_summary", line)


def test_module_forward_error_restores_state(ip):
    model = nn.Linear(3, 2)
    ip.user_ns["model"] = model
    apply = Function.__dict__["apply"]
    with pytest.raises(RuntimeError):
        ip.run_line_magic("tensor_summary", "model --input-size 1 5")
    assert Function.__dict__["apply"] is apply
    assert not model._forward_hooks and not model._forward_pre_hooks
    assert model.training


# -- the pure API -------------------------------------------------------------------------------
def test_pure_summary_and_stats_dataclass():
    x = jtorch.tensor([0.0, 3.0, float("nan"), -float("inf")])
    s = tensor_stats(x)
    assert (s.min, s.max, s.mean, s.nan, s.posinf, s.neginf, s.zeros) == (0, 3, 1.5, 1, 0, 1, 1)
    assert s.shape == (4,) and s.numel == 4 and s.nbytes == 16 and s.finite == 2
    assert summary_fn(x, "x").startswith("x: tensor[4] float32 cpu n=4 (16 B) x∈[0, 3] μ=1.5")
    with pytest.raises(TypeError, match="expected a tensor, array, module"):
        summary_fn(3)


def test_stats_cached_per_version(monkeypatch):
    calls = []
    scan = summary_module._scan
    monkeypatch.setattr(summary_module, "_scan", lambda *a: calls.append(1) or scan(*a))
    x = jtorch.zeros(5)
    assert tensor_stats(x).max == 0
    assert tensor_stats(x).max == 0
    assert len(calls) == 1
    x.add_(2.0)
    assert tensor_stats(x).max == 2
    assert len(calls) == 2


def test_ten_million_elements_within_budget():
    x = jtorch.randn(10_000_000)
    best = math.inf
    for _ in range(3):
        summary_module._CACHE.clear()
        start = time.perf_counter()
        summary_fn(x, "x")
        best = min(best, time.perf_counter() - start)
    assert best <= 0.2, f"{best:.3f} s for 10M elements"
