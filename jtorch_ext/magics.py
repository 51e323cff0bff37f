"""The IPython magics of jtorch_ext: ``%tensor_summary``, ``%graph``/``%%graph``, ``%jtorch_display``.

A thin layer: parse the arguments, look names up in the user namespace, and call the pure
functions of ``summary.py``, ``graphviz.py`` and ``display.py``. Bad names and options raise
IPython's ``UsageError`` (one red line, no traceback); errors in the user's own code propagate.
``%load_ext jtorch_ext`` calls ``register``; ``%unload_ext jtorch_ext`` calls ``unregister``.

Example:
    >>> import jtorch
    >>> from IPython.core.interactiveshell import InteractiveShell
    >>> ip = InteractiveShell.instance()
    >>> register(ip)
    >>> ip.user_ns["x"] = jtorch.tensor([1.0, 2.0, 3.0])
    >>> ip.run_line_magic("tensor_summary", "x")
    x: tensor[3] float32 cpu n=3 (12 B) x∈[1, 3] μ=2 σ=1 zeros=0 nan=0 +inf=0 -inf=0 ▕█       █       █▏
    >>> unregister(ip)
    >>> "tensor_summary" in ip.magics_manager.magics["line"]
    False
"""

from __future__ import annotations

import argparse
import ast
import re

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from jtorch_ext import display as rich
from jtorch_ext.graphviz import (
    MAX_NODES,
    GradientFlow,
    MissingGraphviz,
    _modules_of,
    _roots,
    format_of,
    make_dot,
    params_from_namespace,
    record_scopes,
    render,
    save,
)
from jtorch_ext.summary import _is_module, _leaves, is_tensor_like, summary

__all__ = ["JtorchMagics", "register", "unregister"]

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\Z")
_MISSING = object()


def _unquote(text: str) -> str:
    """``"x * 2"`` -> ``x * 2``: IPython's argument splitter keeps the quotes."""
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _next_token(text: str) -> tuple[str, str]:
    """The first token of ``text`` (a quoted one may hold spaces; its quotes are dropped) and
    the rest of the text."""
    if text[:1] in ("'", '"'):
        end = text.find(text[0], 1)
        if end > 0:
            return text[1:end], text[end + 1 :].lstrip()
    token, _, rest = text.partition(" ")
    return token, rest.lstrip()


def _split_options(parser: argparse.ArgumentParser, line: str) -> tuple[argparse.Namespace, str]:
    """The options at the start of ``line`` parsed by ``parser``, and the rest of the line
    verbatim (an expression keeps its quotes and spaces). ``--`` ends the options."""
    argv, rest = [], line.strip()
    while rest.startswith("-"):
        token, rest = _next_token(rest)
        if token == "--":
            break
        # NOTE: argparse keeps its option table private; it is the one place that says which
        # options take a value.
        action = parser._option_string_actions.get(token.partition("=")[0])
        if action is None:
            raise UsageError(
                f"unrecognized option {token!r} (write `-- EXPR` for an expression that starts "
                "with '-')"
            )
        argv.append(token)
        if action.nargs != 0 and "=" not in token and rest:
            value, rest = _next_token(rest)
            argv.append(value)
    return parser.parse_args(argv), rest


@magics_class
class JtorchMagics(Magics):
    """``%tensor_summary``, ``%graph``/``%%graph`` and ``%jtorch_display``."""

    # -- looking things up ---------------------------------------------------------------------
    def _eval(self, expr: str, what: str):
        """Evaluate ``expr`` in the user namespace; bad syntax and unknown names are usage
        errors that name ``what`` (the magic or option) and the name."""
        try:
            code = compile(expr, f"<{what}>", "eval")
        except SyntaxError as err:
            raise UsageError(f"{what}: invalid expression {expr!r} ({err.msg})") from None
        try:
            return eval(code, self.shell.user_global_ns, self.shell.user_ns)
        except NameError as err:
            raise UsageError(f"{what}: {err}") from None

    def _lookup(self, name: str, what: str):
        """A variable (or ``var.attr.attr``) of the user namespace."""
        if not _DOTTED.match(name):
            raise UsageError(
                f"{what}: {name!r} is not a variable name; use -e to evaluate an expression"
            )
        head, *attrs = name.split(".")
        if head not in self.shell.user_ns:
            raise UsageError(f"{what}: name {head!r} is not defined")
        obj = self.shell.user_ns[head]
        for i, attr in enumerate(attrs):
            value = getattr(obj, attr, _MISSING)
            if value is _MISSING:
                owner = ".".join([head, *attrs[:i]])
                raise UsageError(
                    f"{what}: {owner!r} ({type(obj).__name__}) has no attribute {attr!r}"
                )
            obj = value
        return obj

    # -- %tensor_summary -------------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "names", nargs="*", metavar="NAME", help="variables to summarise (x, model.fc.weight)"
    )
    @argument(
        "-e",
        "--expr",
        action="store_true",
        help="evaluate each NAME as a Python expression (quote it if it has spaces)",
    )
    @argument("--hist", action="store_true", help="add a full histogram under each tensor")
    @argument("--bins", type=int, default=20, help="bins of --hist (default 20)")
    @argument("--dim", type=int, help="add per-channel statistics along this dim")
    @argument(
        "--input-size",
        type=int,
        nargs="+",
        action="append",
        metavar="N",
        help="for a module: run a random input of this shape (repeat for several inputs)",
    )
    @argument("--input", metavar="EXPR", help="for a module: run this input (an expression)")
    @argument("--depth", type=int, default=3, help="for a module: deepest layer shown (default 3)")
    @no_var_expand
    @line_magic
    def tensor_summary(self, line: str) -> None:
        """Print shape, dtype, device, size, range, mean/std, nan/inf/zero counts, autograd state,
        gradient stats and a sparkline of tensors, arrays, Parameters and lists/dicts of them;
        for an nn.Module, a torchinfo-style table (with --input-size or --input: output shapes,
        MACs and memory of one forward pass). Options that take numbers go after the names:
        ``%tensor_summary model --input-size 1 3 32 32``."""
        what = "%tensor_summary"
        args = parse_argstring(self.tensor_summary, line)
        if not args.names:
            raise UsageError(f"{what}: give one or more names, e.g. %tensor_summary x")
        if args.bins < 1:
            raise UsageError(f"{what}: --bins must be at least 1, got {args.bins}")
        if args.depth < 0:
            raise UsageError(f"{what}: --depth must be >= 0, got {args.depth}")
        values = []
        for name in args.names:
            if args.expr:
                name = _unquote(name)
                values.append((name, self._eval(name, what)))
            else:
                values.append((name, self._lookup(name, what)))
        leaves = [leaf for name, value in values for leaf in _leaves(value, name)]
        for key, value in leaves:
            if not (_is_module(value) or is_tensor_like(value)):
                raise UsageError(
                    f"{what}: {key} is a {type(value).__name__}, not a tensor, array, module, "
                    "or a list/dict of them"
                )
            if args.dim is not None and is_tensor_like(value):
                ndim = len(value.shape)
                if ndim == 0 or not -ndim <= args.dim < ndim:
                    raise UsageError(
                        f"{what}: --dim {args.dim} is out of range for {key} ({ndim}-d)"
                    )
        module_args = args.input_size is not None or args.input is not None
        if module_args and not any(_is_module(v) for _, v in leaves):
            raise UsageError(f"{what}: --input-size and --input apply to an nn.Module only")
        if args.input_size is not None and args.input is not None:
            raise UsageError(f"{what}: give --input-size or --input, not both")
        sizes = args.input_size
        example = self._eval(args.input, f"{what} --input") if args.input is not None else None
        input_size = None if sizes is None else sizes[0] if len(sizes) == 1 else sizes
        blocks = [
            summary(
                value,
                name,
                hist=args.hist,
                bins=args.bins,
                dim=args.dim,
                input_size=input_size,
                input=example,
                depth=args.depth,
            )
            for name, value in values
        ]
        print("\n".join(blocks))

    # -- %graph ----------------------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "expr", nargs="*", metavar="EXPR", help="the expression to graph (the rest of the line)"
    )
    @argument(
        "--params",
        metavar="EXPR",
        help="an nn.Module or a dict of name -> tensor that names the leaves (default: every "
        "module and leaf tensor of the namespace)",
    )
    @argument("--saved", action="store_true", help="list each op's saved tensors and attributes")
    @argument("--shapes", action="store_true", help="label each edge with its tensor's shape")
    @argument(
        "--depth",
        type=int,
        metavar="N",
        help="draw each module at depth N as one node (0: the whole model)",
    )
    @argument(
        "--max-nodes",
        type=int,
        default=MAX_NODES,
        metavar="N",
        help=f"draw at most N autograd nodes (default {MAX_NODES}); the rest is collapsed",
    )
    @argument("--rankdir", choices=("TB", "LR"), default="TB", help="layout direction (default TB)")
    @argument("--save", metavar="PATH", help="also write the graph to PATH (.svg .png .pdf .dot)")
    @argument(
        "--backward",
        action="store_true",
        help="run backward from the (scalar) output first and show every node's gradient norm",
    )
    @argument("--grads", metavar="NAME", help="a GradientFlow recorded during backward (norms)")
    @no_var_expand
    @line_cell_magic
    def graph(self, line: str, cell: str | None = None) -> None:
        """Draw the autograd graph that produced a tensor (or a tuple/list/dict of tensors) as
        SVG: op nodes named as torch's grad_fns, leaves with parameter names and shapes, module
        clusters, gradient norms coloured after backward. ``%graph EXPR`` graphs an expression
        (``%graph model(x)`` runs it with module scopes recorded); ``%%graph`` graphs the value
        of the cell's last expression. Options go before the expression."""
        what = "%%graph" if cell is not None else "%graph"
        args, expr = _split_options(self.graph.parser, line)
        if cell is None and not expr:
            raise UsageError(f"{what}: give an expression, e.g. %graph loss or %graph model(x)")
        if cell is not None and expr:
            raise UsageError(f"{what}: only options go on the first line, got {expr!r}")
        if args.max_nodes < 1:
            raise UsageError(f"{what}: --max-nodes must be at least 1, got {args.max_nodes}")
        if args.depth is not None and args.depth < 0:
            raise UsageError(f"{what}: --depth must be >= 0, got {args.depth}")
        if args.save is not None:
            try:
                format_of(args.save)
            except ValueError as err:
                raise UsageError(f"{what} --save: {err}") from None
        if args.params is not None:
            params = self._eval(args.params, f"{what} --params")
            if not (_is_module(params) or isinstance(params, dict)):
                raise UsageError(
                    f"{what}: --params must be an nn.Module or a dict of name -> tensor, got "
                    f"{type(params).__name__}"
                )
        else:
            params = params_from_namespace(self.shell.user_ns)
        if args.depth is not None and not _modules_of(params):
            raise UsageError(
                f"{what}: --depth needs module names: define the model in the namespace or "
                "pass --params MODEL"
            )
        grads = None
        if args.grads is not None:
            grads = self._lookup(args.grads, f"{what} --grads")
            if not isinstance(grads, GradientFlow):
                raise UsageError(
                    f"{what}: --grads must name a jtorch_ext.GradientFlow, got {type(grads).__name__}"
                )
        trace, scopes = record_scopes(params)
        with trace:
            value = self._eval(expr, what) if cell is None else self._cell_value(cell, what)
        roots = _roots(value)
        if not roots:
            raise UsageError(
                f"{what}: {expr or 'the cell'} is a {type(value).__name__}, not a tensor or a "
                "tuple/list/dict of tensors"
            )
        if args.backward:
            if len(roots) != 1 or roots[0].numel() != 1 or not roots[0].requires_grad:
                raise UsageError(f"{what}: --backward needs one scalar output that requires grad")
            # NOTE: retain_graph keeps the saved tensors that --saved lists.
            with GradientFlow(roots) as grads:
                roots[0].backward(retain_graph=args.saved)
        g = make_dot(
            value,
            params=params,
            show_saved=args.saved,
            show_shapes=args.shapes,
            depth=args.depth,
            max_nodes=args.max_nodes,
            rankdir=args.rankdir,
            grads=grads,
            scopes=scopes,
        )
        if g.truncated:
            print(
                f"{what}: the graph has {g.nodes_total} autograd nodes; drawing {g.nodes_drawn} "
                f"and collapsing the rest into one node (raise --max-nodes to see more)"
            )
        try:
            if args.save is not None:
                print(f"saved {save(g, args.save)}")
            svg = render(g, "svg")
        except MissingGraphviz as err:
            print(f"{err}\n\nThe graph in DOT:\n{err.source}")
            return
        summary_text = f"<autograd graph: {g.nodes_drawn} of {g.nodes_total} nodes>"
        display({"image/svg+xml": svg, "text/plain": summary_text}, raw=True)

    def _cell_value(self, cell: str, what: str):
        """Run a cell and return the value of its last expression."""
        source = self.shell.transform_cell(cell)
        tree = ast.parse(source)
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            raise UsageError(f"{what}: the cell must end with an expression (the tensor to graph)")
        last = ast.Expression(tree.body.pop().value)
        ns = (self.shell.user_global_ns, self.shell.user_ns)
        exec(compile(tree, "<%%graph>", "exec"), *ns)
        return eval(compile(last, "<%%graph>", "eval"), *ns)

    # -- %jtorch_display -------------------------------------------------------------------------
    @line_magic
    def jtorch_display(self, line: str) -> None:
        """``%jtorch_display on|off``: switch the HTML view of tensors on or off (text/plain is
        always torch's repr); without an argument, say which it is."""
        arg = line.strip().lower()
        if arg in ("on", "off"):
            rich.set_rich_display(arg == "on")
        elif arg:
            raise UsageError(f"%jtorch_display: expected 'on' or 'off', got {line.strip()!r}")
        else:
            print(f"jtorch rich display is {'on' if rich.rich_display_enabled() else 'off'}")


def register(shell) -> None:
    """Add the magics to ``shell`` (again is harmless: the same names are replaced)."""
    shell.register_magics(JtorchMagics)


def unregister(shell) -> None:
    """Remove every magic ``register`` added (IPython has no API for it)."""
    manager = shell.magics_manager
    for kind, names in JtorchMagics.magics.items():
        table = manager.magics[kind]
        for name in names:
            if isinstance(getattr(table.get(name), "__self__", None), JtorchMagics):
                del table[name]
    manager.registry.pop(JtorchMagics.__name__, None)
