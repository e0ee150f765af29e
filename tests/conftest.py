"""Fixtures every test folder may use."""

import os

import pytest

from tests.tools.shared_runs import SharedRuns


@pytest.fixture(scope="session")
def shared_runs(tmp_path_factory) -> SharedRuns:
    """The session's deterministic runs, made once and read by every test that asks
    (`SharedRuns.run`); pytest-xdist's workers share them through their common root."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return SharedRuns(root / "shared-runs")
