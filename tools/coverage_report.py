"""How much of torch 2.13's public API jtorch has: functions and classes of ``torch``,
``torch.nn.functional``, ``torch.linalg``, ``torch.fft``, ``torch.special`` and the methods of
``torch.Tensor``.

A name counts when torch has it as a public routine or class (not a module), it is not excluded by
one of the commented rules in ``EXCLUDE`` below (internals, other devices, layouts and subsystems
jtorch does not model), and jtorch has an attribute of that name in the matching place.

    .venv/bin/python tools/coverage_report.py                 # print the tables
    .venv/bin/python tools/coverage_report.py --write docs/coverage.md

Example:
    >>> excluded("quantize_per_tensor", "torch"), excluded("quantile", "torch")
    ('quantization', None)
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# (regex on the name, why it is out of scope, namespaces it applies to or None for all); a name
# matching a rule for its namespace is not counted
_TOP = ("torch", "Tensor")
EXCLUDE: list[tuple[str, str, tuple[str, ...] | None]] = [
    # private helpers and dunders (operators are covered by their named functions)
    (r"^_", "private or dunder", None),
    # quantized tensors: jtorch has no quantized dtypes or qschemes
    (
        r"quantiz|fake_quant|fused_moving_avg_obs|^q_|int_repr|^dequantize$|qscheme"
        r"|choose_qparams",
        "quantization",
        None,
    ),
    # sparse layouts (COO and compressed): jtorch tensors are dense and strided
    (
        r"sparse|^(ccol|col|crow|row)_indices|^indices$|^values$|^indices_copy$|^values_copy$"
        r"|^coalesce$|^is_coalesced$|^dense_dim$|^to_dense$|^[dh]?s?smm$|^hspmm$|^saddmm$"
        r"|^sspaddmm$|^spmm$",
        "sparse layouts",
        None,
    ),
    # torch.distributed and its tensor flags
    (r"distributed", "distributed", None),
    # other devices and vendor kernels (jtorch runs on NumPy and CuPy only)
    (
        r"(^|_)(cuda|cudnn|miopen|mkldnn|mps|xpu|vulkan|fbgemm|hpu|xla|ipu|mtia|nnpack)($|_)"
        r"|cudagraph|^record_stream$|^pin_memory$|^is_pinned$",
        "other devices",
        None,
    ),
    # TorchScript / IR / futures and compiler-only control flow
    (
        r"^(fork|wait|import_ir_module.*|parse_ir|parse_schema|parse_type_comment"
        r"|merge_type_from_type_comment|unify_type_list|compiled_with_cxx11_abi|classproperty"
        r"|get_file_path|prepare_multiprocessing_environment|cond|while_loop"
        r"|thread_safe_generator)$",
        "jit and compiler internals",
        _TOP,
    ),
    # symbolic shapes (torch.fx / dynamo)
    (r"^sym_|^Sym", "symbolic shapes", None),
    # TorchScript IR, types and runtime classes, dispatcher internals, benchmark utilities
    (
        r"^Script|Type$|^(AliasDb|Argument|ArgumentSpec|Block|CallStack|Capsule|Code"
        r"|CompilationUnit|CompleteArgumentSpec|ConcreteModuleType.*|DeepCopyMemoTable"
        r"|ErrorReport|ExecutionPlan|FileCheck|FunctionSchema|Future|Gradient|Graph"
        r"|GraphExecutorState|IODescriptor|JITException|LiteScriptModule|Node|OperatorInfo"
        r"|StaticModule|TracingState|Use|Value|LockingLogger|LoggerBase|NoopLogger"
        r"|AggregationType|BenchmarkConfig|BenchmarkExecutionStats|ThroughputBenchmark"
        r"|ModuleDict|ParameterDict|BufferDict|Tag|DispatchKey|DispatchKeySet"
        r"|ExcludeDispatchKeyGuard|DisableTorchFunction.*|FatalError|PyTorchFile(Reader|Writer))$",
        "jit and dispatcher classes",
        ("torch",),
    ),
    # Storage classes and their serialization contexts
    (r"Storage$|StorageContext$|^StorageBase$", "storages", ("torch",)),
    # accelerator streams, events and errors
    (r"^(Stream|Event|AcceleratorError|OutOfMemoryError)$", "other devices", ("torch",)),
    # names imported into a namespace for annotations (the Tensor class, typing helpers) and
    # the float8 scaling enums of scaled_mm
    (
        r"^(Tensor|Callable|DType|ScalingType|SwizzleType)$",
        "annotation imports",
        ("torch.nn.functional", "torch.linalg", "torch.fft", "torch.special"),
    ),
    # storages and shared memory (jtorch tensors own NumPy/CuPy arrays, no Storage classes)
    (
        r"^(untyped_)?storage$|^storage_type$|^share_memory_$|^is_shared$|^is_set_to$|^set_$"
        r"|^module_load$|^from_file$|^as_subclass$",
        "storages",
        _TOP,
    ),
    # view-copy variants generated for functionalization (same values as the view op)
    (
        r"^(alias|as_strided|detach|diagonal|expand|permute|select|slice|split|split_with_sizes"
        r"|squeeze|t|transpose|unbind|unfold|unsqueeze|view_as_complex|view_as_real|view)_copy$",
        "functionalization view copies",
        None,
    ),
    # ATen kernels exposed by accident: backward/stats kernels and nn layer internals
    (
        r"^native_|_backward|^batch_norm_(elemt|gather|stats|update)|^(rnn_tanh|rnn_relu|lstm|gru)"
        r"(_cell)?$|^segment_reduce$|^conv_tbc$|^grid_sampler(_[23]d)?$|^affine_grid_generator$"
        r"|^constant_pad_nd$|^convolution$|^embedding_renorm_$|^frobenius_norm$|^norm_except_dim$"
        r"|^nonzero_static$|^profiler_",
        "ATen internals",
        None,
    ),
    # removed in torch 2: they only raise "deprecated since version 1.9 and is now removed"
    (r"^(symeig|eig|lstsq|solve|matrix_rank)$", "removed (raise in torch)", _TOP),
    # legacy Lua-torch methods that only raise or are no-ops
    (r"^(map_|map2_|apply_|reinforce)$", "legacy CPU-only callbacks", ("Tensor",)),
    # torch.nn.functional helpers that are not functional ops
    (
        r"^(has_torch_function.*|handle_torch_function|boolean_dispatch|assert_int_or_pair)$",
        "torch_function plumbing",
        ("torch.nn.functional",),
    ),
]

# torch namespace -> where jtorch keeps the same names
NAMESPACES = {
    "torch": "jtorch",
    "torch.nn.functional": "jtorch.nn.functional",
    "torch.linalg": "jtorch.linalg",
    "torch.fft": "jtorch.fft",
    "torch.special": "jtorch.special",
    "Tensor": "jtorch.Tensor",
}


@dataclass
class Row:
    namespace: str
    have: int
    total: int
    missing: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.have / self.total if self.total else 100.0


def excluded(name: str, namespace: str) -> str | None:
    """The reason ``name`` of ``namespace`` is out of scope, or None when it counts."""
    for pattern, why, where in EXCLUDE:
        if (where is None or namespace in where) and re.search(pattern, name):
            return why
    return None


def _resolve(path: str):
    """A module or class from a dotted path (``jtorch.Tensor``); None if it cannot be imported."""
    try:
        return importlib.import_module(path)
    except ImportError:
        module, _, attr = path.rpartition(".")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None


def torch_names(namespace: str) -> list[str]:
    """torch's public routines in ``namespace`` that count."""
    import torch  # noqa: PLC0415

    obj = torch.Tensor if namespace == "Tensor" else importlib.import_module(namespace)
    names = []
    for name in dir(obj):
        if excluded(name, namespace):
            continue
        value = getattr(obj, name, None)
        if namespace == "Tensor":
            counted = callable(value) and not inspect.isclass(value)
        else:  # functions and the public classes (torch.Generator, torch.no_grad, ...)
            counted = inspect.isroutine(value) or inspect.isclass(value)
        if counted:
            names.append(name)
    return sorted(names)


def coverage() -> list[Row]:
    rows = []
    for namespace, ours in NAMESPACES.items():
        target = _resolve(ours)
        names = torch_names(namespace)
        missing = [n for n in names if target is None or not hasattr(target, n)]
        rows.append(Row(namespace, len(names) - len(missing), len(names), missing))
    return rows


def render(rows: list[Row]) -> str:
    import torch  # noqa: PLC0415

    lines = [
        "# API coverage against torch " + torch.__version__.split("+")[0],
        "",
        "Generated by `tools/coverage_report.py --write docs/coverage.md`: public functions and",
        "classes of each torch namespace (methods for `Tensor`) that jtorch has under the same",
        "name.",
        "Internals, other devices, quantization, sparse layouts, TorchScript and the other",
        "exclusions commented in the tool are not counted.",
        "",
        "| namespace | have | total | percent |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| `{r.namespace}` | {r.have} | {r.total} | {r.percent:.1f}% |" for r in rows]
    have, total = sum(r.have for r in rows), sum(r.total for r in rows)
    lines += [f"| **all** | {have} | {total} | {100.0 * have / total:.1f}% |", ""]
    for r in rows:
        lines += [f"## Missing in `{r.namespace}` ({len(r.missing)})", ""]
        lines += [", ".join(f"`{n}`" for n in r.missing) if r.missing else "(none)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="PATH", help="write the Markdown report to PATH")
    args = parser.parse_args(argv)
    rows = coverage()
    width = max(len(r.namespace) for r in rows)
    for r in rows:
        print(f"{r.namespace:<{width}}  {r.have:4d} / {r.total:4d}  {r.percent:5.1f}%")
        if r.missing:
            print("    missing: " + " ".join(r.missing))
    if args.write:
        path = Path(args.write)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(rows) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
