"""add_graph without a tracing compiler: run the model once and record every op it runs.

Forward pre/post hooks on every submodule keep a stack of module scopes (``Net/Linear[fc1]``,
torch's names), and ``Function.apply`` is wrapped for the duration of the run (restored in a
``finally``) so each op is recorded with its scope, its inputs (by the node that produced each
tensor: an earlier op, a model input, a parameter or buffer, or a constant), its output shapes and
dtypes, its wall time and the bytes of its outputs. The record becomes a TensorFlow ``GraphDef``
(tensorboardX's protos) and a serialized ``RunMetadata`` with per-op ``StepStats``, which torch's
add_graph leaves empty.

Example:
    >>> g, run_metadata = graph(lambda x: (x * 2).relu(), jtorch.ones(3))
    >>> [(n.name, n.op, list(n.input)) for n in g.node]  # doctest: +NORMALIZE_WHITESPACE
    [('input/x', 'IO Node', []), ('<lambda>/mul', 'aten::mul', ['input/x']),
     ('<lambda>/relu', 'aten::relu', ['<lambda>/mul']),
     ('output/output.1', 'IO Node', ['<lambda>/relu'])]
"""

from __future__ import annotations

import inspect
import re
import time

from tensorboardX.proto.attr_value_pb2 import AttrValue
from tensorboardX.proto.graph_pb2 import GraphDef
from tensorboardX.proto.node_def_pb2 import NodeDef
from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboardX.proto.types_pb2 import DataType
from tensorboardX.proto.versions_pb2 import VersionDef

from jtorch._tensor import Tensor
from jtorch.autograd.function import intercepted_apply
from jtorch.autograd.grad_mode import no_grad

__all__ = ["graph", "aten_name"]

# torch's GraphDef producer version (reverse engineered from TensorFlow graphs by torch).
_PRODUCER = 22

_SUFFIX = re.compile(r"_(dim|dims|all|tensor|scalar|rounded|decimals|float_tensor|tensor_float)$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")
_RENAMED = {"RPow": "pow", "ToCopy": "_to_copy", "Unique2": "_unique2", "Inv": "inverse"}
_ATEN_CACHE: dict[type, str] = {}

_DTYPES = {
    name: DataType.Value(dt)
    for name, dt in (
        ("float32", "DT_FLOAT"),
        ("float64", "DT_DOUBLE"),
        ("float16", "DT_HALF"),
        ("bfloat16", "DT_BFLOAT16"),
        ("int8", "DT_INT8"),
        ("int16", "DT_INT16"),
        ("int32", "DT_INT32"),
        ("int64", "DT_INT64"),
        ("uint8", "DT_UINT8"),
        ("bool", "DT_BOOL"),
        ("complex64", "DT_COMPLEX64"),
        ("complex128", "DT_COMPLEX128"),
    )
}


def aten_name(fn: type) -> str:
    """torch's ``aten::`` name of a jtorch Function class (``Addmm`` -> ``aten::addmm``).

    Example:
        >>> from jtorch.autograd.function import REGISTRY
        >>> [aten_name(REGISTRY[n]) for n in ("Addmm", "LeakyRelu", "SumDim", "ReflectionPad2D")]
        ['aten::addmm', 'aten::leaky_relu', 'aten::sum', 'aten::reflection_pad2d']
    """
    name = _ATEN_CACHE.get(fn)
    if name is None:
        base = _RENAMED.get(fn.__name__) or _SUFFIX.sub("", _CAMEL.sub("_", fn.__name__).lower())
        name = _ATEN_CACHE[fn] = "aten::" + base
    return name


def _device(t: Tensor) -> str:
    d = t.device
    return "/device:CPU:0" if d.type == "cpu" else f"/device:GPU:{d.index or 0}"


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


class _Trace:
    """What one run of the model did: nodes in execution order and per-op statistics."""

    def __init__(self, root: str, params: dict) -> None:
        self.scope = [root]
        self.params = params  # id(tensor) -> (scope, attribute name, state_dict path)
        self.names: dict[int, str] = {}  # id(tensor) -> the node input that yields it
        self.alive: list = []  # NOTE: keeps recorded tensors alive, so no id() is reused
        self.counts: dict[str, int] = {}
        self.nodes: list[tuple] = []  # (name, op, inputs, outputs, attr, is_view, t0, t1)

    def unique(self, base: str) -> str:
        # NOTE: TensorFlow's convention (addmm, addmm_1, ...); TensorBoard groups such series.
        n = self.counts.get(base)
        self.counts[base] = 1 if n is None else n + 1
        if n is None:
            return base
        name = f"{base}_{n}"
        while name in self.counts:
            n += 1
            name = f"{base}_{n}"
        self.counts[name] = 1
        return name

    def add(self, name: str, op: str, inputs: list, outputs: tuple, attr: str, **timing) -> None:
        self.nodes.append((name, op, inputs, outputs, attr, timing))
        for i, t in enumerate(outputs):
            self.names[id(t)] = name if i == 0 else f"{name}:{i}"
        self.alive.append(outputs)

    def source(self, t: Tensor) -> str:
        """The node input name for tensor ``t``, adding a parameter or constant node if new."""
        name = self.names.get(id(t))
        if name is not None:
            return name
        owner = self.params.get(id(t))
        if owner is not None:
            scope, attr, path = owner
            name = self.unique(f"{scope}/{attr}")
            self.add(name, "prim::GetAttr", [], (t,), f"{{ name : {path} }}")
        else:
            name = self.unique(f"{self.scope[-1]}/constant")
            self.add(name, "prim::Constant", [], (t,), "")
        return name

    def record(self, fn: type, inputs: tuple, attrs: dict, out, t0: int, t1: int) -> None:
        sources, extra = [], []
        for i, x in enumerate(inputs):
            if isinstance(x, Tensor):
                sources.append(self.source(x))
            else:
                extra.append(f"input{i} : {_short(x)}")
        extra += [f"{k} : {_short(v)}" for k, v in attrs.items()]
        outputs = tuple(o for o in (out if type(out) is tuple else (out,)) if isinstance(o, Tensor))
        op = aten_name(fn)
        name = self.unique(f"{self.scope[-1]}/{op[6:]}")
        attr = "{ " + ", ".join(extra) + " }" if extra else "{}"
        self.add(name, op, sources, outputs, attr, t0=t0, t1=t1, view=fn.is_view)


def _scopes(model) -> tuple[str, dict, list]:
    """Root scope, parameter/buffer owners, and (module, scope) pairs of every submodule."""
    root = type(model).__name__ if hasattr(model, "named_modules") else None
    if root is None:
        return getattr(model, "__name__", type(model).__name__), {}, []
    scopes, params, modules = {"": root}, {}, []
    for name, m in model.named_modules():
        if name:
            parent, _, leaf = name.rpartition(".")
            scopes[name] = f"{scopes[parent]}/{type(m).__name__}[{leaf}]"
        modules.append((m, scopes[name]))
        for attr, p in (*m.named_parameters(recurse=False), *m.named_buffers(recurse=False)):
            if p is not None and id(p) not in params:
                params[id(p)] = (scopes[name], attr, f"{name}.{attr}" if name else attr)
    return root, params, modules


def _input_names(model, n: int) -> list[str]:
    fn = model.forward if hasattr(model, "named_modules") else model
    try:
        sig = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        sig = ()
    names = [p.name for p in sig if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [names[i] if i < len(names) else f"input.{i + 1}" for i in range(n)]


_STRICT = (
    "Encountering a {} at the output of the tracer might cause the trace to be incorrect, this is "
    "only valid if the container structure does not change based on the module's inputs. Consider "
    "using a constant container instead (e.g. for `list`, use a `tuple` instead. for `dict`, use a "
    "`NamedTuple` instead). If you absolutely need this and know the side effects, pass "
    "strict=False to trace() to allow this behavior."
)


def _flat_outputs(out, strict: bool) -> list:
    """Tensors in a (nested) output, depth first, left to right; iterative."""
    tensors, stack = [], [out]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            tensors.append(x)
        elif isinstance(x, (tuple, list, dict)):
            if strict and not isinstance(x, tuple):
                raise RuntimeError(_STRICT.format(type(x).__name__))
            stack.extend(reversed(list(x.values() if isinstance(x, dict) else x)))
    return tensors


def _run(model, inputs: tuple, strict: bool) -> _Trace:
    root, params, modules = _scopes(model)
    trace = _Trace(root, params)
    for t, name in zip(inputs, _input_names(model, len(inputs))):
        trace.add(f"input/{name}", "IO Node", [], (t,), "")
    stack = trace.scope

    def pop(module, args, output) -> None:
        stack.pop()

    handles = []
    for m, scope in modules:
        handles.append(m.register_forward_pre_hook(lambda m, a, s=scope: stack.append(s)))
        handles.append(m.register_forward_hook(pop, always_call=True))
    clock = time.perf_counter_ns

    def timed(forward):
        def apply(cls, *args, **attrs):
            t0 = clock()
            out = forward(cls, *args, **attrs)
            trace.record(cls, args, attrs, out, t0, clock())
            return out

        return apply

    try:
        with intercepted_apply(timed), no_grad():
            out = model(*inputs)
    finally:
        for h in handles:
            h.remove()
    for i, t in enumerate(_flat_outputs(out, strict)):
        trace.add(f"output/output.{i + 1}", "IO Node", [trace.source(t)], (t,), "")
    return trace


def _graph_def(trace: _Trace) -> GraphDef:
    # NOTE: shapes and dtypes repeat across a model: one proto per distinct value, copied in.
    shapes: dict[tuple, TensorShapeProto] = {}
    dtypes: dict[tuple, AttrValue] = {}
    nodes = []
    for name, op, inputs, outputs, attr, _ in trace.nodes:
        attrs = {"attr": AttrValue(s=attr.encode())}
        if outputs:
            shape_list = []
            for t in outputs:
                shape = shapes.get(t.shape)
                if shape is None:
                    dims = [TensorShapeProto.Dim(size=d) for d in t.shape]
                    shape = shapes[t.shape] = TensorShapeProto(dim=dims)
                shape_list.append(shape)
            attrs["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=shape_list))
            key = tuple(t.dtype for t in outputs)
            dtype = dtypes.get(key)
            if dtype is None:
                types = [_DTYPES.get(str(d)[6:], 0) for d in key]
                dtype = dtypes[key] = (
                    AttrValue(type=types[0])
                    if len(types) == 1
                    else AttrValue(list=AttrValue.ListValue(type=types))
                )
            attrs["dtype"] = dtype
        device = _device(outputs[0]) if outputs else ""
        nodes.append(NodeDef(name=name, op=op, input=inputs, device=device, attr=attrs))
    return GraphDef(node=nodes, versions=VersionDef(producer=_PRODUCER))


# -- RunMetadata -------------------------------------------------------------------------------
# NOTE: tensorboardX ships no step_stats/config protos, so RunMetadata -> StepStats ->
# DeviceStepStats -> NodeExecStats is written with the protobuf wire format directly (field
# numbers of tensorflow/core/framework/step_stats.proto and protobuf/config.proto); the test
# parses it back with TensorBoard's own RunMetadata.
_SMALL = [bytes([i]) for i in range(128)]


def _varint(n: int) -> bytes:
    if 0 <= n < 128:
        return _SMALL[n]
    n &= (1 << 64) - 1
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_VARINT = [_varint(f << 3) for f in range(17)]  # the key of varint field f
_LEN = [_varint(f << 3 | 2) for f in range(17)]  # the key of length-delimited field f


def _int(field: int, value: int) -> bytes:
    return _VARINT[field] + _varint(value)


def _bytes(field: int, body: bytes) -> bytes:
    return _LEN[field] + _varint(len(body)) + body


def _output_stats(slot: int, t: Tensor, size: int, allocator: bytes) -> bytes:
    shape = b"".join(_bytes(2, _int(1, d)) for d in t.shape)
    alloc = _int(1, size) + _int(2, size) + _bytes(3, allocator)
    desc = _int(1, _DTYPES.get(str(t.dtype)[6:], 0)) + _bytes(2, shape) + _bytes(4, alloc)
    return _bytes(7, _int(1, slot) + _bytes(3, desc))


def _run_metadata(trace: _Trace, epoch_offset_ns: int) -> bytes:
    """RunMetadata bytes with one NodeExecStats (time, memory, outputs) per recorded op."""
    devices: dict[str, list[bytes]] = {}
    cache: dict[tuple, bytes] = {}  # NOTE: memory and output entries repeat: encode each once
    for name, _, _, outputs, _, timing in trace.nodes:
        if not timing:
            continue
        start = timing["t0"] + epoch_offset_ns
        duration = timing["t1"] - timing["t0"]
        device = _device(outputs[0]) if outputs else "/device:CPU:0"
        allocator = b"cpu" if device == "/device:CPU:0" else b"cuda"
        sizes = [0 if timing["view"] else t._array.nbytes for t in outputs]
        key = (allocator, sum(sizes), *((t.shape, t.dtype, n) for t, n in zip(outputs, sizes)))
        tail = cache.get(key)
        if tail is None:
            total = key[1]
            memory = _bytes(1, allocator) + _int(2, total) + _int(3, total) + _int(4, total)
            outs = (
                _output_stats(i, t, n, allocator) for i, (t, n) in enumerate(zip(outputs, sizes))
            )
            tail = cache[key] = _bytes(6, memory) + b"".join(outs)
        # NOTE: TensorBoard ignores ops that took 0 us; a sub-microsecond op counts as 1 us.
        micros = _varint(max(1, -(-duration // 1000)))
        stats = b"".join(
            (
                _bytes(1, name.encode()),
                _int(2, start // 1000),
                _VARINT[4] + micros,
                _VARINT[5] + micros,
                tail,
                _int(13, start),
                _int(15, duration),
                _int(16, duration),
            )
        )
        devices.setdefault(device, []).append(_bytes(2, stats))
    dev_stats = b"".join(
        _bytes(1, _bytes(1, device.encode()) + b"".join(stats)) for device, stats in devices.items()
    )
    return _bytes(1, dev_stats)


def graph(model, args=None, verbose: bool = False, use_strict_trace: bool = True):
    """Run ``model(*args)`` once under ``no_grad`` and return ``(GraphDef, RunMetadata bytes)``.

    Args:
        model: an ``nn.Module`` (scopes come from its submodules) or any callable.
        args: a tensor or a tuple/list of tensors, the model's positional inputs.
        verbose: print the recorded nodes.
        use_strict_trace: as torch's ``strict``: list or dict outputs raise RuntimeError.
    """
    if args is None:
        args = ()
    elif not isinstance(args, (tuple, list)):
        args = (args,)
    epoch_offset_ns = time.time_ns() - time.perf_counter_ns()
    trace = _run(model, tuple(args), use_strict_trace)
    if verbose:
        for name, op, inputs, outputs, _, _ in trace.nodes:
            shapes = ", ".join(str(list(t.shape)) for t in outputs)
            print(f"{name} = {op}({', '.join(inputs)}) : {shapes}")
    return _graph_def(trace), _run_metadata(trace, epoch_offset_ns)
