"""The first demo notebook in a real browser: JupyterLab shows the widgets and the graph, and a
slider moved with the keyboard redraws the heat map through the kernel.

Starts the venv's JupyterLab on 127.0.0.1 (free port, random token, a temporary copy of the
notebook with its outputs cleared, Jupyter's config/data/runtime dirs in the temporary folder),
drives Debian's ``chromium`` headless with Playwright (never ``playwright install``), and always
stops both. Skips with the reason when chromium, JupyterLab or Playwright is missing.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

NOTEBOOK = Path(__file__).resolve().parents[2] / "demo_notebooks" / "01_tensors_and_autograd.ipynb"
BUDGET = 120.0  # seconds for the whole test: server start, page load, running every cell, checks
GRAD_FNS = ("SumBackward0", "ReluBackward0", "AddBackward0", "MmBackward0")


def _requirements() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (pip install jupyterlab)")
    pytest.importorskip("playwright", reason="Playwright is not installed (pip install playwright)")
    pytest.importorskip("nbformat", reason="nbformat is not installed")
    return chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def ms(self) -> float:
        """Milliseconds left (at least 1), for Playwright timeouts."""
        left = self.end - time.monotonic()
        if left <= 0:
            pytest.fail(f"the browser test ran past its {BUDGET:.0f} s budget")
        return left * 1000


@pytest.fixture
def lab(tmp_path):
    """A running JupyterLab serving a clean copy of the notebook.

    Yields (notebook URL, server log path, the test's Deadline, which started before the server).
    """
    import nbformat

    _requirements()
    deadline = Deadline(BUDGET)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    root = tmp_path / "root"
    root.mkdir()
    nbformat.write(nb, root / NOTEBOOK.name)

    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[var] = str(tmp_path / var.lower())
    log = tmp_path / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--allow-root",  # CI containers run as root; JupyterLab refuses that by default
        "--LabApp.extension_manager=readonly",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        status = f"http://127.0.0.1:{port}/api/status?token={token}"
        while True:
            try:
                with urllib.request.urlopen(status, timeout=2):
                    break
            except OSError:
                assert server.poll() is None, f"JupyterLab exited:\n{log.read_text()[-3000:]}"
                deadline.ms()
                time.sleep(0.3)
        name = urllib.parse.quote(NOTEBOOK.name)
        yield f"http://127.0.0.1:{port}/lab/tree/{name}?token={token}", log, deadline
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def test_widgets_and_graph_render_and_slider_redraws(lab):
    from playwright.sync_api import sync_playwright

    url, log, deadline = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_requirements(), headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url, timeout=deadline.ms())
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=deadline.ms())
            page.click("li.lm-MenuBar-item:has-text('Run')", timeout=deadline.ms())
            page.click("li.lm-Menu-item[data-command='runmenu:run-all']", timeout=deadline.ms())
            # the last cells ran: the slider moved from code, the gradient table is drawn
            page.get_by_text("index (3, 0) redrawn True").wait_for(timeout=deadline.ms())
            page.locator(".jupyter-widgets td", has_text="(5, 3)").wait_for(timeout=deadline.ms())

            # %graph: JupyterLab shows the SVG as an <img> with a data URI; the browser drew it
            graph = page.locator(".jp-OutputArea-output img[src^='data:image/svg+xml']")
            graph.wait_for(timeout=deadline.ms())
            svg = urllib.parse.unquote(graph.get_attribute("src"))
            assert "<svg" in svg and all(name in svg for name in GRAD_FNS), svg[:500]
            assert graph.evaluate("img => img.complete && img.naturalWidth > 0")

            # TensorViewer: two sliders, a heat map, stats and histogram, all rendered
            viewer = page.locator(".jupyter-widgets.widget-vbox", has=page.locator(".widget-image"))
            viewer = viewer.first
            sliders = viewer.locator(".widget-slider")
            assert sliders.count() == 2
            image = viewer.locator("img.widget-image")
            assert image.evaluate("img => img.complete && img.naturalWidth") == 256
            assert viewer.locator("svg.jt-hist rect").count() == 32
            stats = viewer.locator("table.jt-table")
            assert "[3, 0, :, :]" in stats.inner_text()

            # moving the "dim 1" slider with the keyboard: the kernel redraws the heat map
            before = image.get_attribute("src")
            handle = viewer.locator(".widget-slider", has_text="dim 1").locator(".noUi-handle")
            handle.focus()
            handle.press("ArrowRight")
            page.wait_for_function(
                "([img, src]) => img.getAttribute('src') !== src",
                arg=[image.element_handle(), before],
                timeout=deadline.ms(),
            )
            page.wait_for_function(
                "el => el.innerText.includes('[3, 1, :, :]')",
                arg=stats.element_handle(),
                timeout=deadline.ms(),
            )
            assert image.evaluate("img => img.complete && img.naturalWidth") == 256
        except Exception:
            page.screenshot(path=str(log.with_suffix(".png")))
            print(
                f"screenshot: {log.with_suffix('.png')}; JupyterLab log:\n{log.read_text()[-3000:]}"
            )
            raise
        finally:
            browser.close()
