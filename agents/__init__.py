"""The simulator: the world, the agents and the kernel that plays them, all as plain arrays.

- `world`: one phase's environment as a `WorldSpec`, and the draw order of an episode;
- `rng`: SplitMix64, the one random stream of an episode;
- `genome`: the genome's layout (`GenomeLayout`), decoded agents (`AgentParams`) and one
  of them (`Agent`);
- `kinds/`: one module per agent kind, and the registry `KINDS`;
- `kernel`: the numba kernel, `evaluate(params, world, seeds)`;
- `reference`: the same semantics in plain Python, the specification;
- `rows`: row bitsets the kernel settles steps with; `codes`: the integer codes;
- `cache`: numba's cache, one folder per version of this source.
"""

from agents.cache import key_by_source

key_by_source()  # before any submodule compiles: see agents.cache
