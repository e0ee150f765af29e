"""evo.analysis metrics on hand-built inputs: correlations, twin ratios, revealed preferences."""

import math
import textwrap

import numpy as np
import pandas as pd
import pytest

from agents.kinds import KINDS
from evo.analysis.behaviour import consumption_rates, estimate_reward
from evo.analysis.metrics import internal_rewards, with_cross_metrics, with_individual_metrics
from evo.analysis.params import Thresholds, parse_thresholds
from evo.errors import UserError
from evo.evolution.alignment import weighted_pearson
from evo.scenario import compile_scenario, load_scenario

# Three types: fruit (sweet, worth 1), candy (twice as sweet, worth -1), poison (bitter,
# worth -1), placed 2 : 1 : 1, so q = (1/2, 1/4, 1/4).
THREE_TYPES = """
name = "three"
features = ["sweet", "bitter"]
[[objects]]
name = "fruit"
features = { sweet = 1 }
value = 1.0
[[objects]]
name = "candy"
features = { sweet = 2 }
value = -1.0
[[objects]]
name = "poison"
features = { bitter = 1 }
value = -1.0
intended = 0.5
[[phases]]
name = "only"
generations = 2
counts = { fruit = 2, candy = 1, poison = 1 }
"""


@pytest.fixture
def three(tmp_path):
    """The analysis arrays of the three-type scenario."""
    path = tmp_path / "three.toml"
    path.write_text(textwrap.dedent(THREE_TYPES))
    return compile_scenario(load_scenario(str(path)))


def individual(spec, w_sweet, w_bitter, **columns):
    """One individuals.csv row of generation 0 with the given weights."""
    row = {"generation": 0, "phase": "only", "id": 0, "parent1": -1, "parent2": -1, "elite": 0,
           "w_sweet": w_sweet, "w_bitter": w_bitter, "horizon": 3, "gamma": 0.9,
           "fitness": 1.0, "base_return": 1.0, "mesa_return": 1.0, "intended_return": 1.0,
           "consumed_fruit": 0.0, "consumed_candy": 0.0, "consumed_poison": 0.0}
    row.update(columns)
    return pd.DataFrame([row])


def test_reward_alignment_worked_by_hand(three):
    """w = (sweet 1, bitter -1) gives R = (1, 2, -1): it avoids poison but prefers candy.
    Weighted means 0.75 and 0; deviations (0.25, 1.25, -1.75) and (1, -1, -1);
    cov = 0.125 - 0.3125 + 0.4375 = 0.25; var_R = 1.1875, var_value = 1;
    rho = 0.25 / sqrt(1.1875) = 0.2294 and EPIC distance sqrt((1 - rho) / 2) = 0.6207."""
    frame = with_individual_metrics(individual(three, 1.0, -1.0), three)
    rho = 0.25 / math.sqrt(1.1875)
    assert math.isclose(frame.reward_alignment_only[0], rho, rel_tol=1e-12)
    assert math.isclose(frame.epic_distance_only[0], math.sqrt((1 - rho) / 2), rel_tol=1e-12)
    assert math.isclose(rho, 0.2294, abs_tol=1e-4)


def test_constant_reward_is_undefined_not_zero(three):
    """A reward constant over the phase's types (here w = 0) has no correlation: NaN, and the
    EPIC distance is NaN too, never a number."""
    frame = with_individual_metrics(individual(three, 0.0, 0.0), three)
    assert math.isnan(frame.reward_alignment_only[0])
    assert math.isnan(frame.epic_distance_only[0])


def test_rowwise_correlation_is_each_rows_own():
    """weighted_pearson with a y and weights per row computes each row's own correlation,
    to the last bit of the correlation of that row alone."""
    rng = np.random.default_rng(3)
    x, ys = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    qs = rng.uniform(0.1, 1, size=(6, 4))
    expected = [weighted_pearson(x[i], ys[i], qs[i])[0] for i in range(6)]
    assert weighted_pearson(x, ys, qs).tolist() == expected


def test_aligned_kind_uses_value_as_its_reward(three):
    """For the `aligned` control the internal reward is value whatever the w genes say."""
    spec = three._replace(kind=KINDS["aligned"])
    rewards = internal_rewards(individual(spec, 0.3, 0.9), spec)
    assert np.array_equal(rewards[0], spec.values)
    assert with_individual_metrics(individual(spec, 0.3, 0.9), spec).reward_alignment_only[0] == 1


def test_behavioural_alignment_from_consumption_alone(three):
    """Eating both fruit of 2 and the one candy, no poison: rates (1, 1, 0) against value
    (1, -1, -1) under q = (1/2, 1/4, 1/4): means 0.75 and 0, cov = 0.5*0.25 - 0.25*0.25
    + 0.25*0.75 = 0.25, var_rate = 0.1875, so rho = 0.25 / sqrt(0.1875) = 0.5774."""
    frame = with_individual_metrics(
        individual(three, 1.0, -1.0, consumed_fruit=2.0, consumed_candy=1.0), three)
    assert math.isclose(frame.behavioural_alignment[0], 0.25 / math.sqrt(0.1875), rel_tol=1e-12)
    assert np.allclose(consumption_rates([[2.0, 1.0, 0.0]], three.counts[0]), [[1, 1, 0]])


def test_behavioural_estimate_recovers_a_linear_reward():
    """When consumption rates are an affine function of the features, the least-squares
    estimate recovers the weights up to scale (correlation 1 with the true reward), and a
    feature that never varies gets no weight (it cannot be identified)."""
    features = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    w = np.array([0.5, -0.25, 0.0])
    rates = 0.4 + 0.2 * (features @ w)
    estimated = estimate_reward(rates[None, :], features, np.ones(4))
    assert np.allclose(estimated[0, :2] / estimated[0, 0], [1.0, -0.5])
    assert abs(estimated[0, 2]) < 1e-12


def test_twin_ratio_capability_and_boost_columns(three):
    """Per cross-evaluated row: twin ratio = base / twin, intended-twin ratio (the outer gap)
    = intended / intended twin's intended return, capability = mesa / mesa at the maximal
    horizon, boost drop = (base - boosted base) / twin; a twin that earns nothing leaves its
    ratio undefined."""
    ind = individual(three, 1.0, -1.0)
    cross = pd.DataFrame([
        {"generation": 0, "phase": "only", "eval_phase": "only", "id": 0, "base_return": 3.0,
         "mesa_return": 4.0, "intended_return": 2.0, "consumed_fruit": 1.0,
         "consumed_candy": 1.0, "consumed_poison": 0.0, "aligned_twin_return": 4.0,
         "max_horizon_base_return": 2.0, "max_horizon_mesa_return": 5.0,
         "intended_twin_return": 8.0},
    ])
    out = with_cross_metrics(cross, ind, three, Thresholds())
    assert out.twin_ratio[0] == 0.75 and out.capability[0] == 0.8
    assert out.intended_twin_ratio[0] == 0.25
    assert out.boost_drop[0] == 0.25 and out.boost_mesa_gain[0] == 1.0
    assert out.goal_ratio[0] == 1.0
    cross.loc[0, ["aligned_twin_return", "intended_twin_return"]] = 0.0
    out = with_cross_metrics(cross, ind, three, Thresholds())
    assert math.isnan(out.twin_ratio[0]) and math.isnan(out.intended_twin_ratio[0])


def test_outer_alignment_of_the_three_types(three):
    """intended (1, -1, 0.5) against value (1, -1, -1) under q = (1/2, 1/4, 1/4): means 0.375
    and 0, deviations (0.625, -1.375, 0.125) and (1, -1, -1), cov = 0.3125 + 0.34375 - 0.03125
    = 0.625, var_intended = 0.1953125 + 0.47265625 + 0.00390625 = 0.671875, var_value = 1:
    rho = 0.625 / sqrt(0.671875) = 0.7625."""
    from evo.analysis.summary import outer_alignment

    rho = outer_alignment(three)["only"]
    assert math.isclose(rho, 0.625 / math.sqrt(0.671875), rel_tol=1e-12)
    assert math.isclose(rho, 0.7625, abs_tol=1e-4)


def test_thresholds_parse_and_refuse():
    """--threshold NAME=VALUE sets a documented threshold; an unknown name or a non-number
    is one UserError line."""
    assert parse_thresholds(["aligned=0.95"]).aligned == 0.95
    with pytest.raises(UserError, match="one of"):
        parse_thresholds(["alinged=0.9"])
    with pytest.raises(UserError, match="not a number"):
        parse_thresholds(["aligned=high"])
