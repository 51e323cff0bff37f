"""Doctest namespace for the package's docstring examples: ``jtorch``, ``torch`` (= jtorch), ``np``."""

import numpy as np
import pytest

import jtorch


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace.update(jtorch=jtorch, torch=jtorch, np=np)
    jtorch.manual_seed(0) if hasattr(jtorch, "manual_seed") else None
