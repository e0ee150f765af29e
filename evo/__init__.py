"""basemesa's outer loop, data and front ends (`evo` on the command line).

- `scenario/`: scenario files, validated and compiled into arrays;
- `store/`: the run directory: atomic files, locks, CSVs, checkpoints, reading a run;
- `evolution/`: the base optimizer's generational loop;
- `analysis/`: `evo analyze`, from a run directory's CSVs to its report;
- `sweep/`: grids of runs on a process pool, dask or SLURM;
- `bench/`: `evo bench`;
- `cli` (and `cli_batch`, its batch commands), `demo`, `api`: the front ends; `errors`: the
  one-line errors they print.
"""
