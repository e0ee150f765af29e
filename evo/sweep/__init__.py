"""Sweeps: a grid of overrides and seeds, one run directory per point, on any backend.

- `spec`: the sweep file and its points;
- `run`: running a sweep (or one SLURM array task) and keeping its manifest;
- `manifest`: manifest.csv, its columns declared once;
- `backends`: a local process pool or dask.distributed; `worker`: one point in a worker;
- `slurm`: the sbatch array script; `collect`: one tidy table over every point.
"""
