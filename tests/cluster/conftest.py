"""The cluster tests need a SLURM that answers: CI must have one, elsewhere they skip.

`.ci/run` starts a single-node cluster with scripts/slurm-up.sh and sets CI=true; there a
missing cluster fails every test here. Elsewhere they skip, saying how to start one.
"""

import os
import shutil
import subprocess

import pytest


def cluster_problem() -> str | None:
    """Why no SLURM cluster can take jobs here, or None when one can."""
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return "sbatch and sinfo are not installed"
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True,
                                timeout=30)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if states.returncode != 0:
        return f"sinfo: {states.stderr.strip() or 'exit ' + str(states.returncode)}"
    if not {"idle", "mix", "alloc"} & set(states.stdout.split()):
        return f"no node takes jobs (sinfo says: {' '.join(states.stdout.split()) or 'none'})"
    return None


@pytest.fixture(scope="session")
def slurm() -> None:
    """A SLURM cluster that takes jobs: fail in CI without one, skip elsewhere."""
    problem = cluster_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but no SLURM cluster answers: {problem} (.ci/run starts one "
                    "with scripts/slurm-up.sh)")
    pytest.skip(f"no SLURM cluster answers: {problem}; start one with "
                "`sudo scripts/slurm-up.sh` to run these tests")
