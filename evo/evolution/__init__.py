"""The experiment itself: the base optimizer's generational loop over a compiled scenario.

- `loop`: `start`, `resume` and the generational loop;
- `experiment`: one generation's evaluation, and the values of every CSV row by name;
- `records`: each CSV's columns, declared once;
- `ga`: DEAP's selection and variation (the base optimizer);
- `seeds`: every random stream, derived from the root seed;
- `rundir`: the run directory (config, append-only CSVs, checkpoint, meta.json);
- `alignment`, `outcomes`: the per-individual measures the loop records;
- `signals`: SIGINT and SIGTERM stop a run between generations.
"""
