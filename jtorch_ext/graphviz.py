"""Autograd graphs as Graphviz digraphs (pure: no IPython): what ``%graph`` draws.

``make_dot(y, params=model)`` walks ``y.grad_fn`` iteratively (any depth) and returns an
``AutogradGraph`` (a ``graphviz.Digraph``): op nodes named as torch names its grad_fns, leaves
with parameter names and shapes, module clusters (or one node per module with ``depth``),
gradient norms coloured by size after backward, saved tensors on request. Large graphs get a
precomputed layered layout (drawn with ``neato -n2``, seconds faster than ``dot`` at 10,000
nodes); beyond ``max_nodes`` the rest is collapsed into one node that says how many were left out.

Example:
    >>> import jtorch
    >>> x = jtorch.ones(2, requires_grad=True)
    >>> g = make_dot((x * 2).sum(), params={"x": x})
    >>> print(*[line.strip() for line in g.body if "label" in line], sep="\\n")
    n0 [label="SumBackward0"]
    n1 [label="MulBackward0"]
    n2 [label="x\\n(2,)" fillcolor="lightblue"]
    t0 [label="output\\n()" fillcolor="darkolivegreen1"]
"""

from __future__ import annotations

import contextlib
import math
import os
import weakref
from collections.abc import Iterable, Mapping

import graphviz

from jtorch._tensor import Tensor
from jtorch.autograd.function import AccumulateGrad, Node
from jtorch.autograd.graph import iter_graph
from jtorch.backend import to_numpy
from jtorch_ext.summary import OpTrace, _is_module

__all__ = [
    "AutogradGraph",
    "make_dot",
    "GradientFlow",
    "record_scopes",
    "params_from_namespace",
    "render",
    "save",
    "format_of",
    "MissingGraphviz",
    "MAX_NODES",
    "VANISHING",
    "EXPLODING",
]

MAX_NODES = 10_000
# NOTE: above this many nodes dot's network-simplex layout takes seconds (20 s at 10,000 in a
# chain), so the layers are computed here in one pass and Graphviz only draws.
DOT_LAYOUT_LIMIT = 400
DOT_SPAN_LIMIT = 1500  # and above this many rank crossings of long edges (see make_dot)
VANISHING = 1e-6  # gradient norms below this are drawn as vanishing (blue)
EXPLODING = 1e3  # and above this as exploding (red)
INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be drawn. Install it "
    "with `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`conda install -c conda-forge graphviz`, then run this again."
)
_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


class MissingGraphviz(RuntimeError):
    """Raised by ``render``/``save`` when the ``dot`` program is missing; carries the DOT text."""

    def __init__(self, source: str) -> None:
        super().__init__(INSTALL_HINT)
        self.source = source


class AutogradGraph(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``make_dot`` returns.

    ``nodes_drawn``/``nodes_total`` count autograd nodes (fewer drawn when ``max_nodes`` cut the
    walk). A ``pinned`` graph carries node positions and is drawn by ``neato -n2`` (no layout
    pass), also when Jupyter displays it.
    """

    def __init__(self, *args, pinned: bool = False, **kwargs) -> None:
        super().__init__(*args, engine="neato" if pinned else "dot", **kwargs)
        self.pinned = pinned
        self.nodes_drawn = 0
        self.nodes_total = 0

    @property
    def truncated(self) -> bool:
        """True when some autograd nodes were left out (``max_nodes``)."""
        return self.nodes_total > self.nodes_drawn

    def pipe(self, *args, **kwargs):
        if self.pinned:
            kwargs.setdefault("neato_no_op", 2)
        return super().pipe(*args, **kwargs)


def render(graph: graphviz.Digraph, format: str = "svg") -> bytes | str:
    """The drawn graph (``str`` for svg and dot, ``bytes`` for png/pdf).

    Raises:
        MissingGraphviz: the ``dot`` program is not installed (the error has the DOT source).

    Example:
        >>> render(graphviz.Digraph(), "dot")
        'digraph {\\n}\\n'
    """
    if format == "dot":
        return graph.source
    try:
        out = graph.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise MissingGraphviz(graph.source) from None
    return out.decode() if format == "svg" else out


def format_of(path: str | os.PathLike) -> str:
    """The format ``save`` writes for ``path``: svg, png, pdf or dot, from the extension.

    Example:
        >>> format_of("graph.PNG"), format_of("g.gv")
        ('png', 'dot')
    """
    path = os.fspath(path)
    fmt = _FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the format of {path!r}: use a .svg, .png, .pdf, .dot or .gv file name"
        )
    return fmt


def save(graph: graphviz.Digraph, path: str | os.PathLike) -> str:
    """Write ``graph`` to ``path`` in the format its extension names (.svg, .png, .pdf, .dot/.gv).

    Returns:
        The path written.

    Raises:
        ValueError: unknown extension. MissingGraphviz: no ``dot`` program (only .dot works).

    Example:
        >>> import tempfile
        >>> path = save(graphviz.Digraph(), os.path.join(tempfile.mkdtemp(), "g.dot"))
        >>> open(path).read()
        'digraph {\\n}\\n'
    """
    path = os.fspath(path)
    out = render(graph, format_of(path))
    with open(path, "w" if isinstance(out, str) else "wb") as f:
        f.write(out)
    return path


# -- names and module scopes --------------------------------------------------------------------
def params_from_namespace(ns: Mapping) -> dict:
    """The ``params`` ``%graph`` uses when none are given: every ``nn.Module`` in ``ns`` that is
    not a submodule of another one there, and every leaf tensor that requires grad, by variable
    name (names starting with ``_`` are skipped). When one of the modules is the only one with
    parameters (the model beside a loss module), it gets the key ``""`` so its parameters keep
    their own names (``fc.weight``, not ``model.fc.weight``).

    Example:
        >>> import jtorch
        >>> import jtorch.nn as nn
        >>> net = nn.Sequential(nn.Linear(2, 2))
        >>> w = jtorch.ones(2, requires_grad=True)
        >>> ns = {"net": net, "first": net[0], "loss_fn": nn.MSELoss(), "w": w, "n": 3}
        >>> {k: type(v).__name__ for k, v in params_from_namespace(ns).items()}
        {'': 'Sequential', 'loss_fn': 'MSELoss', 'w': 'Tensor'}
    """
    public = {k: v for k, v in ns.items() if isinstance(k, str) and not k.startswith("_")}
    modules = {k: v for k, v in public.items() if _is_module(v)}
    inner = {id(sub) for m in modules.values() for sub in list(m.modules())[1:]}
    top = {k: m for k, m in modules.items() if id(m) not in inner}
    seen = set()
    for k, m in list(top.items()):  # one module under two names: keep the first
        if id(m) in seen:
            del top[k]
        seen.add(id(m))
    with_params = [k for k, m in top.items() if next(iter(m.parameters()), None) is not None]
    out: dict = {"": top.pop(with_params[0])} if len(with_params) == 1 else {}
    out.update(top)
    for k, v in public.items():
        if isinstance(v, Tensor) and v.requires_grad and v.grad_fn is None:
            out.setdefault(k, v)
    return out


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix and name else prefix or name


def _modules_of(params) -> list[tuple[str, object]]:
    """(prefix, module) pairs in ``params`` (a Module, or a mapping with Module values)."""
    if params is None:
        return []
    if _is_module(params):
        return [("", params)]
    if isinstance(params, Mapping):
        return [(k, v) for k, v in params.items() if _is_module(v)]
    return []


def _param_names(params) -> tuple[dict[int, str], dict[int, str], dict[str, str]]:
    """From ``make_dot``'s ``params``: id(tensor) -> name, id(parameter) -> path of the module
    that owns it, and module path -> class name."""
    names: dict[int, str] = {}
    owners: dict[int, str] = {}
    kinds: dict[str, str] = {}
    for prefix, module in _modules_of(params):
        for path, m in module.named_modules():
            path = _join(prefix, path)
            kinds.setdefault(path, type(m).__name__)
            for name, p in m.named_parameters(recurse=False):
                names.setdefault(id(p), _join(path, name))
                owners.setdefault(id(p), path)
    if params is not None and not _is_module(params):
        items = params.items() if isinstance(params, Mapping) else params
        for name, t in items:
            if isinstance(t, Tensor):
                names.setdefault(id(t), name)
    return names, owners, kinds


@contextlib.contextmanager
def _traces(traces: list[OpTrace]):
    with contextlib.ExitStack() as stack:
        for trace in traces:
            stack.enter_context(trace)
        yield


def record_scopes(params):
    """A context manager and the map it fills: graph node -> qualified name of the module whose
    forward created it (so functional ops inside a module are grouped with it too).

    ``params`` is what ``make_dot`` takes: a module, or a mapping whose module values are traced
    with their key as prefix. Every hook and patch is removed on exit, also after an error.

    Example:
        >>> import jtorch
        >>> import jtorch.nn as nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        >>> trace, scopes = record_scopes(model)
        >>> with trace:
        ...     y = model(jtorch.ones(1, 2))
        >>> scopes[y.grad_fn]
        '1'
    """
    scopes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def recorder(prefix: str):
        def on_op(path, cls, args, attrs, out, node) -> None:
            if node is not None:
                scopes[node] = _join(prefix, path)

        return on_op

    traces = [OpTrace(m, recorder(prefix)) for prefix, m in _modules_of(params)]
    return _traces(traces), scopes


# -- gradients ----------------------------------------------------------------------------------
def _norm(tensors: Iterable) -> float:
    total = 0.0
    for g in tensors:
        if isinstance(g, Tensor):
            a = to_numpy(g._array).reshape(-1)
            total += float(abs(a.dot(a.conj())))
    return math.sqrt(total)


class GradientFlow:
    """Records the norm of the gradient that reaches each node of a graph during backward.

    Use as a context manager around ``backward``; pass it to ``make_dot(..., grads=flow)``.

    Example:
        >>> import jtorch
        >>> x = jtorch.ones(3, requires_grad=True)
        >>> y = (x * 2).sum()
        >>> with GradientFlow(y) as flow:
        ...     y.backward()
        >>> round(flow.norms[y.grad_fn.next_functions[0][0]], 4)
        1.7321
    """

    def __init__(self, tensors) -> None:
        self.norms: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._handles = []
        roots = [t for t in _roots(tensors) if t.requires_grad]
        for node, _ in iter_graph(roots):
            if not isinstance(node, AccumulateGrad):
                self._handles.append(node.register_hook(self._hook(node)))

    def _hook(self, node: Node):
        ref = weakref.ref(node)

        def hook(grad_inputs, grad_outputs) -> None:
            self.norms[ref()] = _norm(grad_outputs)

        return hook

    def remove(self) -> None:
        """Remove the hooks (also done on leaving ``with``)."""
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def __enter__(self) -> GradientFlow:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _grad_colour(norm: float) -> str:
    """Blue for vanishing, red for exploding or non-finite, green shades in between."""
    if not math.isfinite(norm) or norm > EXPLODING:
        return "#fb6a4a"
    if norm < VANISHING:
        return "#9ecae1"
    # log-scale position between the thresholds: light to dark green
    t = (math.log10(norm) - math.log10(VANISHING)) / (math.log10(EXPLODING / VANISHING))
    return ("#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476")[min(3, int(t * 4))]


# -- the walk -----------------------------------------------------------------------------------
def _roots(var) -> list[Tensor]:
    found, stack = [], [var]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            found.append(x)
        elif isinstance(x, Mapping):
            stack.extend(reversed(list(x.values())))
        elif isinstance(x, (list, tuple)):
            stack.extend(reversed(x))
    return found


def _root_names(var) -> list[str]:
    """Labels of the output tensors, in ``_roots`` order: ``output``, ``output[1]``, ``['key']``."""
    out, stack = [], [("output", var)]
    while stack:
        key, x = stack.pop()
        if isinstance(x, Tensor):
            out.append(key)
        elif isinstance(x, Mapping):
            stack.extend((f"{key}[{k!r}]", v) for k, v in reversed(list(x.items())))
        elif isinstance(x, (list, tuple)):
            stack.extend((f"{key}[{i}]", v) for i, v in reversed(list(enumerate(x))))
    return out


def _shape(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _saved_lines(node: Node) -> list[str]:
    lines = []
    if node._saved is None and (node._retain_in or node._retain_out):
        lines.append("saved: freed by backward")
    for i, entry in enumerate(node._saved or ()):
        obj = entry[0]
        if isinstance(obj, Tensor):
            lines.append(f"saved[{i}]: {_shape(obj.shape)} {str(obj.dtype).removeprefix('torch.')}")
        elif hasattr(obj, "shape"):
            lines.append(f"saved[{i}]: {_shape(obj.shape)} {obj.dtype}")
        else:
            lines.append(f"saved[{i}]: {obj!r}")
    for key, value in getattr(node, "__dict__", {}).items():
        if key.startswith("_"):
            continue
        text = f"{_shape(value.shape)} {value.dtype}" if hasattr(value, "shape") else repr(value)
        lines.append(f"{key}: {text[:60]}")
    return lines


def _module_of(node, edges, scopes: Mapping, owners: dict[int, str]) -> str | None:
    """The module a node belongs to: recorded scope, else the module of the parameters it
    reads directly (or through one view, as ``AddmmBackward0 -> TBackward0 -> weight``)."""
    if node in scopes:
        return scopes[node]
    if isinstance(node, AccumulateGrad):
        return owners.get(id(node.variable))
    found = set()
    for edge in edges:
        if edge is None:
            continue
        child = edge[0]
        if not isinstance(child, AccumulateGrad) and len(child.edges) == 1 and child.edges[0]:
            child = child.edges[0][0]  # one view between the op and the parameter
        if isinstance(child, AccumulateGrad) and id(child.variable) in owners:
            found.add(owners[id(child.variable)])
    return found.pop() if len(found) == 1 else None


def make_dot(
    var,
    params=None,
    show_saved: bool = False,
    show_shapes: bool = False,
    depth: int | None = None,
    max_nodes: int = MAX_NODES,
    rankdir: str = "TB",
    grads: GradientFlow | Mapping | None = None,
    scopes: Mapping | None = None,
) -> AutogradGraph:
    """The autograd graph that produced ``var`` as a Graphviz digraph.

    Args:
        var: a Tensor, or a (nested) tuple/list/dict of Tensors (dict keys name the outputs).
        params: names for the leaves: an ``nn.Module`` (parameter names and module clusters), or
            a mapping whose values are tensors (named by their key) or modules (their parameters
            and submodules get the key as prefix; ``""`` for none).
        show_saved: list each op's saved tensors and attributes in its node.
        show_shapes: label each edge with the shape (and dtype unless float32) of the tensor
            whose gradient flows along it.
        depth: draw every module at this depth (0 is the model) as one node; shallower modules
            are clusters of their ops. Needs module names (``params``).
        max_nodes: draw at most this many autograd nodes; the rest becomes one summary node.
        rankdir: ``TB`` (inputs on top) or ``LR``.
        grads: gradient norms per node (a ``GradientFlow`` recorded during backward) for
            colouring; leaves use ``.grad`` either way.
        scopes: graph node -> module path (from ``record_scopes``); without it, ops are placed
            by the parameters they read.

    Returns:
        An ``AutogradGraph``; its ``.source`` is the DOT text, Jupyter shows it as SVG. Graphs
        too big or too tangled for dot's layout (over 400 nodes, or many long edges) carry
        precomputed positions instead, drawn without module clusters.

    Example:
        >>> import jtorch
        >>> import jtorch.nn as nn
        >>> model = nn.Linear(3, 2)
        >>> g = make_dot(model(jtorch.ones(1, 3)).sum(), params=model)
        >>> "weight\\\\n(2, 3)" in g.source, "AddmmBackward0" in g.source
        (True, True)
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' or 'LR', got {rankdir!r}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    roots = _roots(var)
    if not roots:
        raise TypeError(
            f"expected a tensor or a tuple/list/dict of tensors, got {type(var).__name__}"
        )
    names, owners, kinds = _param_names(params)
    norms = grads.norms if isinstance(grads, GradientFlow) else (grads or {})
    scopes = scopes if scopes is not None else {}

    walk = []
    total = 0
    for item in iter_graph([t for t in roots if t.requires_grad]):
        total += 1
        if total <= max_nodes:
            walk.append(item)

    # the id of each drawn node; with `depth`, nodes of one module share one id
    ids: dict = {}
    groups: dict[str, list[str]] = {}  # module path -> node ids (clusters)
    collapsed: dict[str, str] = {}  # module path at `depth` -> its node id
    members: dict[str, int] = {}  # collapsed node id -> how many autograd nodes it stands for
    labels: dict[str, tuple[str, dict]] = {}
    for i, (node, edges) in enumerate(walk):
        path = _module_of(node, edges, scopes, owners)
        if path is not None and depth is not None and _depth(path) >= depth:
            top = ".".join(path.split(".")[:depth])
            nid = collapsed.get(top)
            if nid is None:
                nid = collapsed[top] = f"m{len(collapsed)}"
                labels[nid] = ("", {"shape": "box3d", "fillcolor": "#fdd0a2"})
                if "." in top:  # inside the cluster of its parent module
                    groups.setdefault(top.rpartition(".")[0], []).append(nid)
            members[nid] = members.get(nid, 0) + 1
            ids[node] = nid
            continue
        nid = ids[node] = f"n{i}"
        if path:
            groups.setdefault(path, []).append(nid)
        labels[nid] = _node_label(node, names, norms, show_saved)
    for top, nid in collapsed.items():
        kind = kinds.get(top, "module")
        count = f"{members[nid]} node{'s' if members[nid] > 1 else ''}"
        labels[nid] = (f"{top}: {kind}\n{count}" if top else f"{kind}\n{count}", labels[nid][1])

    # NOTE: output edges first, then the walk's: _layout relies on each node's consumers coming
    # before it.
    edges_out: list[tuple[str, str]] = []
    for i, t in enumerate(roots):
        if t.requires_grad and t._edge()[0] in ids:
            edges_out.append((ids[t._edge()[0]], f"t{i}"))
    edge_shapes: dict[tuple[str, str], str] = {}
    hidden = False
    for node, edges in walk:
        head = ids[node]
        meta = getattr(node, "_in_meta", None) if show_shapes else None
        for j, edge in enumerate(edges):
            if edge is None:
                continue
            tail = ids.get(edge[0])
            if tail is None:
                hidden = True
                tail = "more"
            if tail != head and (tail, head) not in edge_shapes:
                edge_shapes[tail, head] = _meta_text(meta[j]) if meta and meta[j] else ""
                edges_out.append((tail, head))
    for i, (t, name) in enumerate(zip(roots, _root_names(var))):
        labels[f"t{i}"] = (f"{name}\n{_shape(t.shape)}", {"fillcolor": "darkolivegreen1"})

    if hidden:
        labels["more"] = (
            f"... {total - len(walk)} more autograd nodes not drawn\n(max_nodes={max_nodes})",
            {"shape": "note", "fillcolor": "#fff7bc"},
        )
    rank = _ranks(labels, edges_out)
    # NOTE: dot splits an edge that spans k ranks into k - 1 virtual nodes and its positioning
    # pass is superlinear in them: a weight shared by 300 ops (an unrolled RNN) takes minutes.
    spans = sum(max(0, rank[a] - rank[b] - 1) for a, b in edges_out)
    g = AutogradGraph(
        pinned=len(labels) > DOT_LAYOUT_LIMIT or spans > DOT_SPAN_LIMIT,
        graph_attr={"rankdir": rankdir, "ranksep": "0.3", "nodesep": "0.2"},
        node_attr={
            "shape": "box",
            "style": "filled",
            "fillcolor": "lightgrey",
            "fontsize": "10",
            "height": "0.2",
        },
        edge_attr={"arrowsize": "0.6", "fontsize": "8", "fontcolor": "grey30"},
    )
    g.nodes_drawn, g.nodes_total = len(walk), total
    notes = []
    if total > len(walk):
        notes.append(f"showing {len(walk)} of {total} autograd nodes (max_nodes={max_nodes})")
    elif not total:
        notes.append("no autograd graph: the output does not require grad")
    if any("‖grad‖" in label for label, _ in labels.values()):
        notes.append(
            f"‖grad‖: blue < {VANISHING:g} (vanishing), red > {EXPLODING:g} or not finite "
            "(exploding)"
        )
    if notes:
        g.attr(label=_esc("\n".join(notes)), labelloc="t", fontsize="10")

    positions = _layout(labels, edges_out, rankdir, rank) if g.pinned else {}
    in_cluster = {nid for ids_ in groups.values() for nid in ids_}
    for nid, (label, attrs) in labels.items():
        if nid not in in_cluster:
            g.body.append(_node_line(nid, label, attrs, positions.get(nid)))
    g.body.extend(_cluster_lines(groups, labels, kinds, positions))
    g.body.extend(
        f'\t{a} -> {b} [label=" {edge_shapes[a, b]}"]\n'
        if edge_shapes.get((a, b))
        else f"\t{a} -> {b}\n"
        for a, b in edges_out
    )
    return g


def _meta_text(meta: tuple) -> str:
    """``(5, 4)``, with the dtype when it is not float32: ``(5, 4) float64``."""
    shape, dtype = meta[0], meta[1]  # NOTE: a leaf input's meta also holds the leaf
    return _shape(shape) + ("" if dtype == "float32" else f" {dtype}")


def _depth(path: str) -> int:
    return path.count(".") + 1 if path else 0


def _cluster_lines(groups: dict, labels: dict, kinds: dict, positions: dict) -> list[str]:
    """Nested ``subgraph cluster_i { ... }`` blocks, one per module path (ancestors included)."""
    paths = {p for p in groups if p}
    for p in list(paths):
        parts = p.split(".")
        paths.update(".".join(parts[:i]) for i in range(1, len(parts)))
    lines, open_ = [], []
    for i, path in enumerate(sorted(paths, key=lambda p: p.split("."))):
        while open_ and not path.startswith(open_[-1] + "."):
            open_.pop()
            lines.append("\t}\n")
        open_.append(path)
        kind = kinds.get(path)
        title = f"{path} ({kind})" if kind else path
        lines.append(
            f'\tsubgraph cluster_{i} {{\n\t\tlabel="{_esc(title)}" style="rounded" '
            f'color="grey50" fontsize="10"\n'
        )
        for nid in groups.get(path, ()):
            lines.append("\t" + _node_line(nid, *labels[nid], positions.get(nid)))
    lines.extend("\t}\n" for _ in open_)
    return lines


def _node_label(node: Node, names: dict, norms: Mapping, show_saved: bool) -> tuple[str, dict]:
    attrs: dict = {}
    if isinstance(node, AccumulateGrad):
        t = node.variable
        name = names.get(id(t), "")
        lines = [name, _shape(t.shape)] if name else [_shape(t.shape)]
        attrs["fillcolor"] = "lightblue"
        if t.grad is not None:
            norm = _norm([t.grad])
            lines.append(f"‖grad‖={norm:.3g}")
            attrs.update(fillcolor=_grad_colour(norm), color="steelblue", penwidth="2")
        return "\n".join(lines), attrs
    lines = [node.name()]
    if show_saved:
        lines += _saved_lines(node)
    norm = norms.get(node)
    if norm is not None:
        lines.append(f"‖grad‖={norm:.3g}")
        attrs["fillcolor"] = _grad_colour(norm)
    return "\n".join(lines), attrs


def _node_line(nid: str, label: str, attrs: dict, pos: str | None) -> str:
    # NOTE: body lines are written directly (not with Digraph.node, which quotes every
    # attribute): building a 10,000-node graph is then a few tens of milliseconds.
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    if pos is not None:
        extra += f' pos="{pos}"'
    return f'\t{nid} [label="{_esc(label)}"{extra}]\n'


def _ranks(labels: dict, edges: list[tuple[str, str]]) -> dict[str, int]:
    """Rank of each node: the longest path to an output (outputs are 0)."""
    # NOTE: edges come in the walk's order (each node after all its consumers), so one relaxation
    # sweep settles every rank; a second covers collapsed modules, whose edges repeat ids.
    rank = dict.fromkeys(labels, 0)
    for _ in range(2):
        for tail, head in edges:
            if rank[tail] < rank[head] + 1:
                rank[tail] = rank[head] + 1
    return rank


def _size(label: str) -> tuple[float, float]:
    """Rough (width, height) in points of a box with this label at fontsize 10."""
    lines = label.split("\n")
    return 6.0 * max(map(len, lines)) + 16.0, 13.0 * len(lines) + 8.0


def _layout(
    labels: dict, edges: list[tuple[str, str]], rankdir: str, rank: dict[str, int]
) -> dict[str, str]:
    """Layered positions in points: one layer per ``rank``, nodes in a layer ordered by the mean
    position of the nodes each one feeds (one barycentre sweep) and packed by their sizes."""
    consumers: dict[str, list[str]] = {}
    for tail, head in edges:
        consumers.setdefault(tail, []).append(head)
    layers: dict[int, list[str]] = {}
    for nid in labels:
        layers.setdefault(rank[nid], []).append(nid)
    index: dict[str, float] = {}
    for r in sorted(layers):
        layer = layers[r]
        if r:
            key = {
                nid: sum(index.get(h, 0.0) for h in consumers[nid]) / len(consumers[nid])
                if consumers.get(nid)
                else 0.0
                for nid in layer
            }
            layer.sort(key=key.__getitem__)
        for i, nid in enumerate(layer):
            index[nid] = float(i)
    # across a layer nodes are packed side by side; layers are as far apart as their largest node
    size = {nid: _size(label) for nid, (label, _) in labels.items()}
    along, across = (1, 0) if rankdir == "TB" else (0, 1)  # which size axis each direction uses
    out = {}
    level = 0.0
    for r in sorted(layers):
        layer = layers[r]
        depth = max(size[nid][along] for nid in layer)
        pos = 0.0
        for nid in layer:
            extent = size[nid][across]
            centre = pos + extent / 2
            pos += extent + (20.0 if rankdir == "TB" else 10.0)
            if rankdir == "TB":
                out[nid] = f"{centre:.0f},{level + depth / 2:.0f}"
            else:
                out[nid] = f"{-(level + depth / 2):.0f},{-centre:.0f}"
        level += depth + (25.0 if rankdir == "TB" else 40.0)
    return out
