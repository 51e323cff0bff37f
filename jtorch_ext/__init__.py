"""jtorch_ext: an IPython extension that turns jtorch into notebook tooling.

Load it in IPython or Jupyter with ``%load_ext jtorch_ext`` for tensor and module summaries
(``%tensor_summary``), autograd graphs (``%graph``, ``%%graph``), an HTML view of tensors
(``%jtorch_display on|off``), widgets (``TensorViewer``, ``HookInspector``, ``inspect_grad``)
and TensorBoard runs. The functions behind the magics work without IPython: ``summary``,
``tensor_stats``, ``module_summary``, ``make_dot``, ``tensor_html``.

NOTE: ``jtorch_ext.summary`` is the function; the module of the same name is imported with
``from jtorch_ext.summary import ...``.

Example:
    >>> import jtorch, jtorch_ext
    >>> jtorch_ext.tensor_stats(jtorch.tensor([1.0, -1.0])).mean
    0.0
    >>> print(jtorch_ext.summary(jtorch.zeros(2), "z"))
    z: tensor[2] float32 cpu n=2 (8 B) x∈[0, 0] μ=0 σ=0 zeros=2 nan=0 +inf=0 -inf=0
"""

from jtorch_ext.display import rich_display_enabled, set_rich_display, tensor_html
from jtorch_ext.graphviz import GradientFlow, make_dot
from jtorch_ext.summary import (
    ModuleSummary,
    OpTrace,
    TensorStats,
    module_summary,
    summary,
    tensor_stats,
)

__all__ = [
    "load_ipython_extension",
    "unload_ipython_extension",
    "summary",
    "tensor_stats",
    "TensorStats",
    "module_summary",
    "ModuleSummary",
    "OpTrace",
    "make_dot",
    "GradientFlow",
    "tensor_html",
    "set_rich_display",
    "rich_display_enabled",
    "TensorViewer",
    "HookInspector",
    "GradInspector",
    "inspect_grad",
]
_WIDGETS = frozenset({"TensorViewer", "HookInspector", "GradInspector", "inspect_grad"})


def __getattr__(name: str):
    # NOTE: the widgets load ipywidgets, so they are imported on first use only.
    if name in _WIDGETS:
        from jtorch_ext import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'jtorch_ext' has no attribute '{name}'")


def load_ipython_extension(ipython) -> None:
    """``%load_ext jtorch_ext``: register the magics and the tensor HTML formatter."""
    # NOTE: IPython is imported only here, so `import jtorch_ext` works without it.
    from jtorch_ext import display, magics

    magics.register(ipython)
    display.install(ipython)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext jtorch_ext``: remove every magic and formatter the load added."""
    from jtorch_ext import display, magics

    magics.unregister(ipython)
    display.uninstall(ipython)
