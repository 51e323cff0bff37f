"""Execute every demo notebook in place on a real Jupyter kernel (what ``./run.sh demo`` runs).

Each ``demo_notebooks/*.ipynb`` runs top to bottom with nbclient, in its own folder (so its
TensorBoard runs land in ``demo_notebooks/runs/``), and is saved with its outputs and widget state.
The kernel is this interpreter's own ipykernel, whatever kernelspecs are installed elsewhere.

Usage: python demo_notebooks/run_notebooks.py [NOTEBOOK ...]   (default: all of them)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 120


def kernel_manager() -> KernelManager:
    """A manager for the ``python3`` kernel of ``sys.executable`` (ipykernel's native spec).

    NOTE: with no kernel directories to search, jupyter_client falls back to ipykernel's built-in
    spec, whose argv is ``sys.executable``: a ``python3`` kernelspec installed for another
    interpreter (e.g. in ~/.local/share/jupyter) cannot shadow this venv's.
    """
    return KernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[])
    )


def execute_notebook(path: Path, out: Path | None = None, cwd: Path | None = None):
    """Run the notebook at ``path`` and write it, with outputs, to ``out`` (default: in place).

    Args:
        path: the .ipynb to run.
        out: where to save the executed notebook (default ``path``).
        cwd: the kernel's working directory (default: the folder of ``out``).

    Returns:
        The executed ``nbformat.NotebookNode`` (widget state in ``metadata.widgets``).
    """
    out = out or path
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        km=kernel_manager(),
        timeout=CELL_TIMEOUT,
        store_widget_state=True,
        resources={"metadata": {"path": str(cwd or out.parent)}},
    )
    client.execute()
    nbformat.write(nb, out)
    return nb


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(HERE.glob("*.ipynb"))
    for path in paths:
        start = time.perf_counter()
        execute_notebook(path)
        print(f"executed {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
