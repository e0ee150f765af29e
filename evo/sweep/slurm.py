"""`evo sweep --emit-slurm`: an sbatch array script that runs one point per task."""

import shlex
import sys
from pathlib import Path

from evo.store.files import write_atomic
from evo.sweep.spec import Sweep


def slurm_script(sweep: Sweep, out: Path) -> str:
    """The array script: one task per point, resources from the sweep file's [slurm]."""
    slurm = sweep.spec.slurm
    out = out.resolve()
    lines = [
        "#!/bin/bash",
        f"#SBATCH --job-name={sweep.name}",
        f"#SBATCH --array=0-{len(sweep.points) - 1}",
        f"#SBATCH --cpus-per-task={slurm.cpus_per_task}",
        f"#SBATCH --mem={slurm.mem}",
        f"#SBATCH --time={slurm.time}",
        f"#SBATCH --output={out}/slurm-%A_%a.out",
    ]
    if slurm.signal_seconds:  # B: to the batch shell, which `exec` below makes evo itself
        lines.append(f"#SBATCH --signal=B:TERM@{slurm.signal_seconds}")
    if slurm.partition:
        lines.append(f"#SBATCH --partition={slurm.partition}")
    if slurm.account:
        lines.append(f"#SBATCH --account={slurm.account}")
    lines += [f"#SBATCH {line}" for line in slurm.extra]
    lines += ["", "set -euo pipefail", *slurm.setup]
    command = [sys.executable, "-m", "evo", "sweep", str(out / "sweep.toml"), "--out", str(out),
               "--task-index"]
    lines += [
        "# Re-running a task is safe: a finished point is skipped, a stopped one resumed.",
        "# exec: SLURM's signals (time limit, scancel) reach evo, which stops after the",
        "# current generation with its checkpoint written.",
        f"exec {shlex.join(command)} \"$SLURM_ARRAY_TASK_ID\" "
        "--threads-per-worker \"$SLURM_CPUS_PER_TASK\" --quiet",
        "",
    ]
    return "\n".join(lines)


def emit_slurm(sweep: Sweep, out: Path) -> Path:
    """Write `sweep.sbatch` into the sweep directory; returns its path."""
    path = out / "sweep.sbatch"
    write_atomic(path, slurm_script(sweep, out).encode())
    return path
