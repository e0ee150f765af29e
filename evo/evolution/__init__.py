"""The experiment itself: the base optimizer's generational loop over a compiled scenario.

- `loop`: `start`, `resume` and the generational loop;
- `experiment`: one generation's evaluation, and the values of every CSV row by name;
- `ga`: DEAP's selection and variation (the base optimizer);
- `alignment`: the per-individual measures the loop records;
- `memory`: the run's peak memory, checked before it starts;
- `signals`: SIGINT and SIGTERM stop a run between generations.

It plays agents through `evo.evaluation` (episodes, twins) and writes through
`evo.store`; the CSV columns, outcomes and seeds it records are declared
with the scenario (`evo.scenario.records`, `outcomes`, `seeds`).
"""
