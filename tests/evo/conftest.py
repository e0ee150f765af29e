"""Fixtures for tests that run `evo` for real."""

import subprocess

import pytest

from tests.evo.helpers import evo_args, evo_env


@pytest.fixture
def evo_command():
    """Run the real `evo` command in a subprocess and return the completed process."""
    def run(*args, cwd) -> subprocess.CompletedProcess:
        return subprocess.run(evo_args(*args), cwd=cwd, env=evo_env(), capture_output=True,
                              text=True)
    return run
