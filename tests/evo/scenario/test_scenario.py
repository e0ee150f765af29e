"""Scenario loading: typed validation, overrides, round trips and one-line errors."""

import copy
import tomllib
import typing
from importlib.resources import files

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import codes
from agents.kinds import KINDS
from evo.errors import UserError
from evo.scenario import Scenario, compile_scenario, list_scenarios, load_scenario
from evo.scenario.compiled import placement_counts
from evo.scenario.schema import GA, Agent, ObjectType, Phase, Record, World

BASE = """
name = "tiny"
description = "a tiny test scenario"
features = ["sweet", "bitter"]

[world]
height = 5
width = 5

[[objects]]
name = "fruit"
features = {sweet = 1}
value = 1

[[objects]]
name = "poison"
features = {bitter = 1.0}
value = -1.0
intended = -2.0

[[phases]]
name = "ancestral"
generations = 3
counts = {fruit = 3, poison = 2}

[[phases]]
name = "modern"
generations = 2
counts = {fruit = 1, poison = 4}
regions = {poison = "adjacent:fruit"}
respawn = ["fruit"]
"""


def base_data() -> dict:
    """A fresh raw dict of the base scenario, for tests to mutate."""
    return tomllib.loads(BASE)


def write(tmp_path, data, name="scenario.toml") -> str:
    """Write raw data (a dict) or TOML text to a file and return its path."""
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else tomli_w.dumps(data), encoding="utf-8")
    return str(path)


def error_of(source, overrides=()) -> str:
    """The message of the UserError that loading raises; it must be one line."""
    with pytest.raises(UserError) as info:
        load_scenario(source, overrides)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    return message


# --- valid input --------------------------------------------------------------------------


def test_valid_scenario_loads_with_defaults(tmp_path):
    """Omitted sections and keys take their documented defaults; intended defaults to value."""
    scenario = load_scenario(write(tmp_path, BASE))
    assert scenario.name == "tiny"
    assert scenario.seed == 0
    assert scenario.world == World(height=5, width=5)
    assert scenario.world.layout == "open" and scenario.world.episode_steps == 60
    assert scenario.agent == Agent() and scenario.agent.horizon_max == 15
    assert scenario.ga == GA() and scenario.ga.population == 64 and scenario.ga.elite == 2
    assert scenario.record == Record() and scenario.record.crosseval_every == 5
    fruit, poison = scenario.objects
    assert fruit.intended == 1.0 and fruit.terminal is False
    assert poison.intended == -2.0
    assert scenario.phases[0].regions == {} and scenario.phases[0].respawn == []


def test_ints_are_accepted_for_floats(tmp_path):
    """TOML writes `value = 1` for a whole number; it must load as the float 1.0."""
    scenario = load_scenario(write(tmp_path, BASE))
    assert isinstance(scenario.objects[0].value, float)
    assert isinstance(scenario.objects[0].features["sweet"], float)


def test_compiled_arrays(tmp_path):
    """Arrays are indexed by object type in scenario order, features in feature order."""
    compiled = compile_scenario(load_scenario(write(tmp_path, BASE)))
    assert compiled.object_names == ("fruit", "poison")
    assert compiled.total_generations == 5
    assert compiled.features.dtype == np.float64
    np.testing.assert_array_equal(compiled.features, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(compiled.values, [1.0, -1.0])
    np.testing.assert_array_equal(compiled.intended, [1.0, -2.0])
    assert compiled.counts.dtype == np.float64  # an average over variants in general
    np.testing.assert_array_equal(compiled.counts[1], [1, 4])
    np.testing.assert_allclose(compiled.frequencies[1], [0.2, 0.8])
    np.testing.assert_array_equal(compiled.worlds[1].counts, [1, 4])
    assert compiled.worlds[1].counts.dtype == np.int64
    assert compiled.columns.consumed == ("consumed_fruit", "consumed_poison")
    assert compiled.columns.alignment == ("alignment_ancestral", "alignment_modern")


def test_missing_features_are_zero(tmp_path):
    """An object without a feature has 0 there, and a phase without a type places none."""
    data = base_data()
    data["objects"][0]["features"] = {}
    del data["phases"][0]["counts"]["poison"]
    scenario = load_scenario(write(tmp_path, data))
    compiled = compile_scenario(scenario)
    np.testing.assert_array_equal(compiled.features[0], [0.0, 0.0])
    np.testing.assert_array_equal(compiled.counts[0], [3, 0])


def test_phase_at_follows_the_schedule(tmp_path):
    """Generations count from 0 across phases: 3 ancestral generations, then 2 modern."""
    compiled = compile_scenario(load_scenario(write(tmp_path, BASE)))
    assert [compiled.phase_at(g) for g in range(5)] == [0, 0, 0, 1, 1]
    assert compiled.phase_names[compiled.phase_at(3)] == "modern"
    for outside in (-1, 5):
        with pytest.raises(ValueError):
            compiled.phase_at(outside)


def test_round_trip_through_to_toml(tmp_path):
    """config.toml states every default and loads back to an equal scenario."""
    scenario = load_scenario(write(tmp_path, BASE), ["ga.population=10"])
    text = scenario.to_toml()
    raw = tomllib.loads(text)
    assert raw["ga"]["population"] == 10 and raw["world"]["episode_steps"] == 60
    assert all("intended" in obj for obj in raw["objects"])
    again = load_scenario(write(tmp_path, text, "config.toml"))
    assert again == scenario
    assert again.to_toml() == text


def test_every_field_is_documented():
    """Each field carries the docstring under it, which doubles as help text."""
    for model in (Scenario, World, ObjectType, Phase, Agent, GA, Record):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no docstring"


def test_literals_match_the_kernel_codes():
    """Every layout and start the schema accepts has an integer code in agents.codes, and
    every kind a module in agents.kinds."""
    assert set(typing.get_args(World.model_fields["layout"].annotation)) == set(codes.LAYOUTS)
    assert set(typing.get_args(World.model_fields["start"].annotation)) == set(codes.STARTS)
    assert set(typing.get_args(Agent.model_fields["kind"].annotation)) == set(KINDS)


# --- overrides ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "override, read, expected",
    [
        ("ga.population=128", lambda s: s.ga.population, 128),
        ("seed=7", lambda s: s.seed, 7),
        ("name=renamed", lambda s: s.name, "renamed"),  # not TOML: taken as a string
        ('description="two words"', lambda s: s.description, "two words"),
        ("phases.modern.generations=10", lambda s: s.phases[1].generations, 10),
        ("phases.1.generations=11", lambda s: s.phases[1].generations, 11),
        ("objects.0.value=2", lambda s: s.objects[0].value, 2.0),
        ("objects.poison.terminal=true", lambda s: s.objects[1].terminal, True),
        ("phases.ancestral.counts.fruit=4", lambda s: s.phases[0].counts["fruit"], 4),
        ("objects.fruit.features.bitter=0.5", lambda s: s.objects[0].features["bitter"], 0.5),
        ("record.crosseval_every=2", lambda s: s.record.crosseval_every, 2),  # no [record]
        ('world.layout="walls"', lambda s: s.world.layout, "walls"),
        ('phases.modern.respawn=["fruit", "poison"]', lambda s: s.phases[1].respawn,
         ["fruit", "poison"]),
    ],
)
def test_override_sets_the_key(tmp_path, override, read, expected):
    """`--set` reaches sections, phases and objects by name or index, and dict entries."""
    assert read(load_scenario(write(tmp_path, BASE), [override])) == expected


def test_later_override_wins(tmp_path):
    """Overrides apply in order, as on a command line."""
    scenario = load_scenario(write(tmp_path, BASE), ["ga.population=8", "ga.population=9"])
    assert scenario.ga.population == 9


def test_overrides_do_not_touch_the_file(tmp_path):
    """An override changes the loaded scenario, not what a later plain load sees."""
    path = write(tmp_path, BASE)
    load_scenario(path, ["ga.population=8"])
    assert load_scenario(path).ga.population == 64


@pytest.mark.parametrize(
    "override, expected",
    [
        ("ga.populaton=3", "--set ga.populaton: unknown key"),
        ("colour=red", "--set colour: unknown key"),
        ("ga.population.x=3", "--set ga.population.x: unknown key"),
        ("phases.medieval.generations=3", "--set phases.medieval.generations: unknown key"),
        ("phases.7.generations=3", "--set phases.7.generations: unknown key"),
        ("objects.fruit.colour=3", "--set objects.fruit.colour: unknown key"),
        ("ga.population=abc", "--set ga.population: Input should be a valid integer"),
        ("ga.population=-1", "--set ga.population: must be >= 2 (got -1)"),
        ("ga.population=true", "--set ga.population: Input should be a valid integer"),
        ("phases.modern.generations=-1", "--set phases.modern.generations: must be >= 0"),
        ("objects.1.value=nan", "--set objects.1.value: Input should be a finite number"),
        ("phases.1.counts.candyy=1", "--set phases.1.counts.candyy: unknown object type 'candyy'"),
        ("ga.population", "--set ga.population: expected KEY=VALUE"),
        (
            "phases.ancestral.counts.fruit=40",
            "--set phases.ancestral.counts.fruit: phases.ancestral.counts: 42 objects do not fit",
        ),
        ("world={height=0}", "--set world: world.height: must be >= 1 (got 0)"),
    ],
)
def test_bad_override_names_the_key(tmp_path, override, expected):
    """A bad `--set` is reported against the override, in one line."""
    assert error_of(write(tmp_path, BASE), [override]).startswith(expected)


# --- bad input ----------------------------------------------------------------------------


def _set(path, value):
    """A mutation that sets raw[path...] = value."""

    def mutate(data):
        node = data
        for step in path[:-1]:
            node = node.setdefault(step, {}) if isinstance(node, dict) else node[step]
        node[path[-1]] = value

    return mutate


def _drop(path):
    """A mutation that deletes raw[path...]."""

    def mutate(data):
        node = data
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return mutate


BAD = {
    "unknown top-level key": (_set(["colour"], "red"), "colour: unknown key"),
    "unknown section key": (_set(["ga", "populaton"], 3), "ga.populaton: unknown key"),
    "missing name": (_drop(["name"]), "name: missing required key"),
    "empty name": (_set(["name"], " "), "name: must not be empty"),
    "string for int": (
        _set(["ga", "population"], "64"),
        "ga.population: Input should be a valid integer",
    ),
    "bool for int": (
        _set(["ga", "population"], True),
        "ga.population: Input should be a valid integer",
    ),
    "bool for float": (_set(["objects", 0, "value"], True), "objects.fruit.value: Input should"),
    "population too small": (
        _set(["ga", "population"], -1),
        "ga.population: must be >= 2 (got -1)",
    ),
    "population too large": (
        _set(["ga", "population"], 10**8),
        "ga.population: must be <= 1000000 (got 100000000)",
    ),
    "episodes too many": (_set(["ga", "episodes"], 10**5), "ga.episodes: must be <= 10000"),
    "crosseval episodes too many": (
        _set(["record", "crosseval_episodes"], 10**5),
        "record.crosseval_episodes: must be <= 10000",
    ),
    "generations too many": (
        _set(["phases", 0, "generations"], 10**7),
        "phases.ancestral.generations: must be <= 1000000",
    ),
    "elite as large as population": (
        _set(["ga", "elite"], 64),
        "ga.elite: must be < population (64)",
    ),
    "horizon 0": (_set(["agent", "horizon_min"], 0), "agent.horizon_min: must be >= 1 (got 0)"),
    "horizon above 64": (_set(["agent", "horizon_max"], 65), "agent.horizon_max: must be <= 64"),
    "horizon bounds reversed": (
        _set(["agent", "horizon_min"], 20),
        "agent.horizon_max: must be >= horizon_min (20)",
    ),
    "gamma_max 1": (_set(["agent", "gamma_max"], 1.0), "agent.gamma_max: must be < 1 (got 1.0)"),
    "gamma bounds reversed": (_set(["agent", "gamma_min"], 0.9995), "agent.gamma_max: must be >="),
    "unknown layout": (_set(["world", "layout"], "labyrinth"), "world.layout: Input should be"),
    "wall density too high": (
        _set(["world", "wall_density"], 0.7),
        "world.wall_density: must be <= 0.6",
    ),
    "infinite value": (
        _set(["objects", 1, "value"], float("inf")),
        "objects.poison.value: Input should be a finite number",
    ),
    "empty feature list": (_set(["features"], []), "features: must not be empty"),
    "feature not an identifier": (
        _set(["features"], ["sweet", "bit-ter"]),
        "features.1: must be a Python identifier",
    ),
    "duplicate feature": (_set(["features"], ["sweet", "sweet"]), "features.1: duplicate feature"),
    "unknown feature in an object": (
        _set(["objects", 0, "features", "salty"], 1),
        "objects.fruit.features.salty: unknown feature 'salty' (known: sweet, bitter)",
    ),
    "object name not an identifier": (
        _set(["objects", 0, "name"], "red fruit"),
        "objects.0.name: must be a Python identifier",
    ),
    "duplicate object name": (
        _set(["objects", 1, "name"], "fruit"),
        "objects.1.name: duplicate object name 'fruit'",
    ),
    "no objects": (_set(["objects"], []), "objects: must not be empty"),
    "unknown object in a phase": (
        _set(["phases", 1, "counts", "candyy"], 1),
        "phases.modern.counts.candyy: unknown object type 'candyy' (known: fruit, poison)",
    ),
    "negative count": (
        _set(["phases", 0, "counts", "fruit"], -1),
        "phases.ancestral.counts.fruit: must be >= 0",
    ),
    "phase places nothing": (
        _set(["phases", 0, "counts"], {"fruit": 0}),
        "phases.ancestral.counts: a phase must place at least one object",
    ),
    "negative generations": (
        _set(["phases", 0, "generations"], -1),
        "phases.ancestral.generations: must be >= 0",
    ),
    "empty phase list": (_set(["phases"], []), "phases: at least one phase is required"),
    "missing phases": (_drop(["phases"]), "phases: missing required key"),
    "duplicate phase name": (
        _set(["phases", 1, "name"], "ancestral"),
        "phases.1.name: duplicate phase name 'ancestral'",
    ),
    "unknown region": (
        _set(["phases", 0, "regions"], {"fruit": "middle"}),
        "phases.ancestral.regions.fruit: unknown region 'middle'",
    ),
    "region of unknown object": (
        _set(["phases", 0, "regions"], {"candy": "left"}),
        "phases.ancestral.regions.candy: unknown object type 'candy'",
    ),
    "adjacent to an unknown object": (
        _set(["phases", 1, "regions", "poison"], "adjacent:rock"),
        "phases.modern.regions.poison: adjacent:rock: unknown object type 'rock'",
    ),
    "adjacent to a later object": (
        _set(["phases", 1, "regions"], {"fruit": "adjacent:poison"}),
        "phases.modern.regions.fruit: adjacent:poison: 'poison' must come before 'fruit'",
    ),
    "adjacent to an absent object": (
        _set(["phases", 1, "counts", "fruit"], 0),
        "phases.modern.regions.poison: adjacent:fruit: this phase places no 'fruit'",
    ),
    "respawn of unknown object": (
        _set(["phases", 1, "respawn"], ["fruit", "rock"]),
        "phases.modern.respawn.1: unknown object type 'rock'",
    ),
    "too many objects": (
        _set(["phases", 0, "counts", "fruit"], 30),
        "phases.ancestral.counts: 32 objects do not fit in 24 free cells",
    ),
    "section not a table": (_set(["world"], 5), "world: Input should be"),
    "map without layout map": (_set(["world", "map"], ["..", ".."]),
                               "world.map: a map needs layout = \"map\""),
    "layout map without map": (_set(["world", "layout"], "map"), "world.map: layout \"map\" needs"),
    "ragged map": (
        lambda d: d["world"].update(layout="map", map=["....", "...", "...."]),
        "world.map.1: row has 3 cells, row 0 has 4",
    ),
    "unknown map cell": (
        lambda d: d["world"].update(layout="map", map=["....", ".@..", "...."]),
        "world.map.1: unknown cell '@'",
    ),
    "map against height": (
        lambda d: d["world"].update(layout="map", map=["....."] * 6),
        "world.height: is 5 but the map has 6",
    ),
    "openings above 1": (_set(["world", "maze_openings"], 1.5),
                         "world.maze_openings: must be <= 1"),
    "variant share above 1": (
        _set(["phases", 0, "variants"], [{"name": "v", "share": 1.2, "counts": {"fruit": 1}}]),
        "phases.ancestral.variants.v.share: must be <= 1",
    ),
    "variant shares sum above 1": (
        _set(["phases", 0, "variants"], [{"name": "a", "share": 0.6, "counts": {"fruit": 1}},
                                         {"name": "b", "share": 0.6, "counts": {"fruit": 2}}]),
        "phases.ancestral.variants: shares sum to 1.2, more than 1",
    ),
    "variant unknown type": (
        _set(["phases", 0, "variants"], [{"name": "v", "share": 0.5, "counts": {"fig": 1}}]),
        "phases.ancestral.variants.v.counts.fig: unknown object type 'fig'",
    ),
    "variant places nothing": (
        _set(["phases", 0, "variants"], [{"name": "v", "share": 0.5, "counts": {"fruit": 0}}]),
        "phases.ancestral.variants.v.counts: a variant must place at least one object",
    ),
    "variant adjacent to nothing": (
        _set(["phases", 0, "variants"], [{"name": "v", "share": 0.5, "counts": {"poison": 1},
                                          "regions": {"poison": "adjacent:fruit"}}]),
        "phases.ancestral.variants.v.regions.poison: adjacent:fruit: this variant places no",
    ),
    "variant too many objects": (
        _set(["phases", 0, "variants"], [{"name": "v", "share": 0.5, "counts": {"fruit": 30}}]),
        "phases.ancestral.variants.v.counts: 30 objects do not fit in 24 free cells",
    ),
    "unknown flag blocking a type": (
        _set(["objects", 0, "blocked_by"], ["thirsty"]),
        "objects.fruit.blocked_by.0: unknown flag 'thirsty' (known: none)",
    ),
    "unknown flag in a value": (
        lambda d: (d.update(flags=[{"name": "thirsty"}]),
                   d["objects"][1].update(value_if={"hungry": 1.0})),
        "objects.poison.value_if.hungry: unknown flag 'hungry' (known: thirsty)",
    ),
    "unknown flag on a placement": (
        _set(["phases", 0, "flags"], ["inspected"]),
        "phases.ancestral.flags.0: unknown flag 'inspected' (known: none)",
    ),
    "duplicate flag name": (
        _set(["flags"], [{"name": "thirsty"}, {"name": "thirsty"}]),
        "flags.1.name: duplicate flag name 'thirsty'",
    ),
    "flag onset above 1": (
        _set(["flags"], [{"name": "thirsty", "onset": 1.5}]),
        "flags.thirsty.onset: must be <= 1",
    ),
    "flag name not an identifier": (
        _set(["flags"], [{"name": "very thirsty"}]),
        "flags.0.name: must be a Python identifier",
    ),
}


@pytest.mark.parametrize("mutate, expected", BAD.values(), ids=BAD.keys())
def test_bad_input_names_the_key(tmp_path, mutate, expected):
    """Each kind of bad input is one line: `<file>: <dotted.key>: <problem>`."""
    data = base_data()
    mutate(data)
    path = write(tmp_path, data)
    message = error_of(path)
    assert message.startswith(f"{path}: {expected}"), message


def test_walls_leave_fewer_free_cells(tmp_path):
    """With walls, floor((H*W - 1) * (1 - density)) cells are free: 12 of a 5x5 grid at 0.5."""
    data = base_data()
    data["world"].update(layout="walls", wall_density=0.5)
    data["phases"][0]["counts"] = {"fruit": 10, "poison": 2}
    assert load_scenario(write(tmp_path, data)).world.num_free_cells == 12
    data["phases"][0]["counts"]["fruit"] = 11
    message = error_of(write(tmp_path, data))
    assert "phases.ancestral.counts: 13 objects do not fit in 12 free cells" in message


@pytest.mark.parametrize("layout, extra, free", [
    ("maze", {}, 2 * 3 * 3 - 2),  # 7x7: rooms on odd rows and columns, a spanning tree
    ("maze", {"height": 9, "width": 9}, 2 * 5 * 5 - 2),  # rooms on even rows and columns
    ("corridor", {"barrier_density": 1.0}, 48 - 3 * 6),  # barriers at columns 1, 3, 5
    ("map", {"height": 3, "width": 3, "map": ["..#", "#..", "..."]}, 7 - 1),
])
def test_layouts_count_their_free_cells(tmp_path, layout, extra, free):
    """The fit check counts each layout's free cells (the least a maze has, the expected
    number for random barriers, the map's own) other than the start."""
    data = base_data()
    data["world"] = {"height": 7, "width": 7, "layout": layout, **extra}
    assert load_scenario(write(tmp_path, data)).world.num_free_cells == free


def test_map_sets_the_grid_size(tmp_path):
    """A map gives the grid its height and width, and the resolved configuration states them."""
    data = base_data()
    data["world"] = {"layout": "map", "map": ["......", "..##..", "......"]}
    scenario = load_scenario(write(tmp_path, data))
    assert (scenario.world.height, scenario.world.width) == (3, 6)
    assert scenario.world.map_walls().sum() == 2
    again = load_scenario(write(tmp_path, scenario.to_toml(), "again.toml"))
    assert again == scenario


def test_variants_are_averaged_into_the_phase_counts(tmp_path):
    """A phase's expected counts weigh its default placement and each variant by share, and
    a variant's share can be set from the command line by name."""
    data = base_data()
    data["phases"][0]["variants"] = [{"name": "lean", "share": 0.25,
                                      "counts": {"fruit": 1, "poison": 6}}]
    path = write(tmp_path, data)
    scenario = load_scenario(path)
    np.testing.assert_allclose(compile_scenario(scenario).counts[0],
                               [0.75 * 3 + 0.25, 0.75 * 2 + 1.5])
    np.testing.assert_array_equal(
        placement_counts(scenario.phases[0].variants[0], ["fruit", "poison"]), [1, 6])
    again = load_scenario(path, ["phases.ancestral.variants.lean.share=1"])
    np.testing.assert_allclose(compile_scenario(again).counts[0], [1, 6])


def test_several_errors_are_counted(tmp_path):
    """Only the first error is spelled out; the rest are counted so none go unnoticed."""
    data = base_data()
    data["ga"] = {"population": "x", "episodes": 0, "cxpb": 2}
    message = error_of(write(tmp_path, data))
    assert "ga.population:" in message and message.endswith("(+2 more errors)")


def test_malformed_toml_gives_file_and_position(tmp_path):
    """A TOML syntax error names the file and tomllib's line and column."""
    path = write(tmp_path, BASE + "\n[ga]\npopulation = = 3\n")
    message = error_of(path)
    assert message.startswith(f"{path}: invalid TOML:")
    assert "line" in message and "column" in message


def test_non_utf8_file_is_a_user_error(tmp_path):
    """Binary junk in place of a scenario is reported, not a UnicodeDecodeError."""
    path = tmp_path / "junk.toml"
    path.write_bytes(b"name = \"\xff\xfe\"\n")
    assert error_of(str(path)).startswith(f"{path}: ")


def test_missing_file_lists_builtins(tmp_path):
    """A path that does not exist says so and lists the built-in scenarios."""
    path = str(tmp_path / "nope.toml")
    message = error_of(path)
    assert message.startswith(f"{path}: no such file")
    assert "built-in scenarios" in message
    for name, _ in list_scenarios():
        assert name in message


def test_unknown_builtin_lists_builtins():
    """A bare word that is not a built-in names itself and the built-ins."""
    message = error_of("no_such_scenario")
    assert "unknown scenario 'no_such_scenario'" in message
    assert "built-in scenarios" in message


def test_user_error_is_one_line():
    """Whatever text it is given, a UserError prints as a single line."""
    assert str(UserError("a.toml: name:\n bad\r\nvalue\u2028!")) == "a.toml: name: bad value !"


# --- built-ins ----------------------------------------------------------------------------


def test_builtins_are_listed_and_load():
    """Every built-in listed loads by its bare name; the list is sorted."""
    listing = list_scenarios()
    assert listing == sorted(listing)
    if files("evo.scenario").joinpath("builtins", "evolution.toml").is_file():
        assert "evolution" in [name for name, _ in listing]
    for name, description in listing:
        scenario = load_scenario(name)
        assert scenario.description == description
        assert load_scenario(name, ["seed=3"]).seed == 3


# --- nothing but a Scenario or a UserError ------------------------------------------------


def _paths(node, prefix=()):
    """Every path into a raw TOML dict, through tables and arrays."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


TOML_VALUES = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(["fruit", "poison", "sweet", "modern", "adjacent:fruit", "walls"]),
        # Numeric extremes: overflowing floats, and sizes whose products exhaust memory.
        st.sampled_from([1e308, -1e308, float("inf"), float("nan"), 1e12, 2**63 - 1,
                         1_000_000, 10_000, 999_999, 65]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def mutated_base(data) -> dict:
    """The base scenario with one to three keys dropped or set to random TOML values."""
    raw = copy.deepcopy(base_data())
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = [p for p in _paths(raw) if p]
        path = data.draw(st.sampled_from(paths), label="path")
        parent = raw
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans(), label="drop"):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(TOML_VALUES, label="value")
        if not raw:
            break
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_scenarios_never_crash(tmp_path_factory, data):
    """Dropping keys or setting random values yields a Scenario or a one-line UserError."""
    raw = mutated_base(data)
    file = write(tmp_path_factory.mktemp("fuzz"), raw)
    try:
        scenario = load_scenario(file)
    except UserError as error:
        assert len(str(error).splitlines()) == 1
        assert str(error).startswith(f"{file}: ")
    else:
        assert isinstance(scenario, Scenario)
        assert load_scenario(write(tmp_path_factory.mktemp("back"), scenario.to_toml())) == scenario


@settings(max_examples=300, deadline=None)
@given(key=st.text(max_size=30), value=st.text(max_size=20))
def test_random_overrides_never_crash(tmp_path_factory, key, value):
    """Any `--set` text yields a Scenario or a one-line UserError, never another exception."""
    path = write(tmp_path_factory.mktemp("set"), BASE)
    try:
        scenario = load_scenario(path, [f"{key}={value}"])
    except UserError as error:
        assert len(str(error).splitlines()) == 1
    else:
        assert isinstance(scenario, Scenario)
