"""API coverage against torch 2.13 must not regress (tools/coverage_report.py).

The floors are the percentages of the last recorded run; raise them when coverage grows.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the coverage report lists torch 2.13's API: torch is needed")

TOOLS = Path(__file__).resolve().parents[1] / "tools"
_spec = importlib.util.spec_from_file_location("coverage_report", TOOLS / "coverage_report.py")
coverage_report = importlib.util.module_from_spec(_spec)
sys.modules["coverage_report"] = coverage_report
_spec.loader.exec_module(coverage_report)

# percent of each namespace's counted names that jtorch has (recorded 2026-11-23)
FLOORS = {
    "torch": 95.3,
    "torch.nn.functional": 97.6,
    "torch.linalg": 100.0,
    "torch.fft": 100.0,
    "torch.special": 100.0,
    "Tensor": 99.0,
}


@pytest.fixture(scope="module")
def rows():
    return {r.namespace: r for r in coverage_report.coverage()}


@pytest.mark.parametrize("namespace", sorted(FLOORS))
def test_coverage_does_not_regress(rows, namespace):
    row = rows[namespace]
    assert row.percent >= FLOORS[namespace], (
        f"{namespace}: {row.have}/{row.total} = {row.percent:.1f}% is below the recorded floor "
        f"{FLOORS[namespace]}%; missing: {' '.join(row.missing)}"
    )


def test_exclusion_rules_are_targeted():
    excluded = coverage_report.excluded
    for name, namespace in [
        ("quantile", "torch"),  # not quantization
        ("flipud", "torch"),  # not a device (ipu)
        ("index_copy", "torch"),  # a real op, not a view copy
        ("cond", "torch.linalg"),  # linalg.cond is math, torch.cond is control flow
        ("solve", "torch.linalg"),  # only the torch.solve alias was removed
        ("cpu", "Tensor"),
        ("Generator", "torch"),  # public classes count
        ("no_grad", "torch"),
        ("LinAlgError", "torch.linalg"),
    ]:
        assert excluded(name, namespace) is None, (name, namespace)
    for name, namespace in [
        ("_foo", "torch"),
        ("quantize_per_tensor", "torch"),
        ("sparse_coo_tensor", "torch"),
        ("cudnn_convolution", "torch"),
        ("sym_int", "torch"),
        ("view_copy", "torch"),
        ("cond", "torch"),
        ("symeig", "Tensor"),
        ("untyped_storage", "Tensor"),
        ("has_torch_function", "torch.nn.functional"),
        ("ScriptModule", "torch"),
        ("FloatStorage", "torch"),
        ("SymInt", "torch"),
        ("Stream", "torch"),
        ("Tensor", "torch.fft"),  # imported for annotations
    ]:
        assert excluded(name, namespace), (name, namespace)


def test_report_renders_and_writes(rows, tmp_path, capsys):
    out = tmp_path / "coverage.md"
    assert coverage_report.main(["--write", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# API coverage against torch 2.13")
    assert "| namespace | have | total | percent |" in text
    for namespace, row in rows.items():
        assert f"| `{namespace}` | {row.have} | {row.total} |" in text
        assert f"## Missing in `{namespace}` ({len(row.missing)})" in text
    assert "torch.fft" in capsys.readouterr().out
