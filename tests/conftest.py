"""Shared test configuration: thread limits, hypothesis profile, and the PyTorch oracle.

Oracle tests compare jtorch against PyTorch 2.13 (CPU). Get torch through the ``torch`` fixture::

    def test_exp(torch):
        x = np.linspace(-2, 2, 5)
        np.testing.assert_allclose(jtorch.tensor(x).exp().numpy(), torch.tensor(x).exp().numpy())

or, for a whole module, ``torch = torch_oracle()`` at the top (``from conftest import
torch_oracle``). Without torch 2.13 the tests are skipped with a reason that ``-ra`` prints in the
summary; under CI (``CI`` set) a missing oracle is an error instead, so oracle tests never pass by
being skipped there.
"""

import os

# NOTE: pytest-xdist runs one worker per core; BLAS and OpenMP thread pools on top of that only
# oversubscribe the machine. Set before NumPy or torch is first imported, since both read these
# variables once, at import.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import importlib.metadata  # noqa: E402

import hypothesis  # noqa: E402
import pytest  # noqa: E402

# The distributed tests' `_*_worker.py` scripts run under mpiexec; --doctest-modules must not
# import them. (One conftest.py only: test modules import helpers from it by that name.)
collect_ignore_glob = ["distributed/_*_worker.py"]

ORACLE_VERSION = (2, 13)
_INSTALL_HINT = 'pip install "torch==2.13.0"'

# NOTE: no per-example deadline: the first call into torch or a fresh code path can take far longer
# than hypothesis' 200 ms default on a loaded 2-core CI machine, which would make tests flaky.
hypothesis.settings.register_profile("jtorch", deadline=None, print_blob=True)
hypothesis.settings.load_profile("jtorch")


def _oracle_unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must have the oracle)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def torch_oracle():
    """Return the ``torch`` module (2.13.x), or skip the calling test or module without it."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is None:
        _oracle_unavailable(f"torch==2.13.0 oracle not installed: {_INSTALL_HINT}")
    release = torch.__version__.split("+")[0]
    if tuple(int(part) for part in release.split(".")[:2]) != ORACLE_VERSION:
        _oracle_unavailable(
            f"torch oracle must be 2.13.x, found {torch.__version__}: {_INSTALL_HINT}"
        )
    return torch


@pytest.fixture(scope="session")
def torch():
    """The PyTorch 2.13 oracle module; tests using it skip when it is not installed."""
    return torch_oracle()


def pytest_report_header(config):
    """Print which oracle and NumPy the run compares with, next to pytest's own header."""
    try:
        oracle = f"torch {importlib.metadata.version('torch')}"
    except importlib.metadata.PackageNotFoundError:
        outcome = "fail under CI" if os.environ.get("CI") else "skip"
        oracle = f"not installed: oracle tests {outcome}"
    return [f"torch oracle: {oracle}", f"numpy: {importlib.metadata.version('numpy')}"]


# -- every registered Function must be exercised by the suite ----------------------------------
# NOTE: recorded dynamically (which Function classes the tests actually apply), not by grepping
# test files: a Function counts as tested only if some test ran it. Workers under pytest-xdist
# send their sets to the controller, which checks the union after a full run.
_APPLIED: set[str] = set()


def _record_applied_functions() -> None:
    from jtorch.autograd.function import Function

    original = Function.apply.__func__

    def apply(cls, *inputs, **attrs):
        _APPLIED.add(cls.__name__)
        return original(cls, *inputs, **attrs)

    Function.apply = classmethod(apply)


_record_applied_functions()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _APPLIED.update(getattr(node, "workeroutput", {}).get("jtorch_functions", ()))


def _full_run(config) -> bool:
    return (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not config.option.keyword
        and not config.option.markexpr
        and not config.option.deselect
    )


def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the set to the controller
        workeroutput["jtorch_functions"] = sorted(_APPLIED)
        return
    if not _full_run(session.config) or exitstatus != 0:
        return
    from jtorch.autograd.function import REGISTRY

    untested = sorted(set(REGISTRY) - _APPLIED)
    if untested:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(
            f"FAILED: {len(untested)} registered Functions were never applied by any test: "
            + ", ".join(untested),
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
