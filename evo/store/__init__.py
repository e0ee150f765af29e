"""Storage: how every optimizer loop writes a run directory and how everyone reads it back.

- `files`: whole files or nothing (`write_atomic`), regular files only, the default `RUNS`;
- `lock`: one writer per directory;
- `csvfiles`: exact CSV cells and the digest of what a checkpoint covers;
- `checkpoint`: a run's state after a whole generation, as plain arrays;
- `rundir`: the run directory (config, append-only CSVs, checkpoint, meta.json);
- `read`: reading a run directory back (`load_run`), whole lines only.
"""
