"""Replays: the frames are the kernel's episode, the GIF is deterministic, text works too."""

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from evo.cli import main
from evo.evolution.loop import start
from evo.replay import ascii_frames, gif, replay
from evo.replay.draw import AGENT, CELL, TOP, frames_of
from tests.evo.helpers import TINY


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny `evolution` run."""
    return start("evolution", TINY, tmp_path_factory.mktemp("replay") / "run", quiet=True)


def test_frames_follow_the_kernels_trajectory(run):
    """Each frame's agent is the cell the kernel's trace recorded, and it is drawn there; the
    returns read off the frames are the kernel's; steps + 1 frames."""
    (episode,) = replay(run)
    trace = episode.trace
    assert len(episode.frames) == trace.steps + 1
    images = frames_of([episode])
    for frame, cell, image in zip(episode.frames, trace.positions, images):
        assert frame.agent == tuple(cell)
        row, col = frame.agent
        pixels = np.asarray(image)
        assert pixels[TOP + row * CELL + CELL // 2, col * CELL + CELL // 2] == AGENT
    last = episode.frames[-1]
    assert (last.base, last.mesa, last.intended) == (trace.base, trace.mesa, trace.intended)


def test_frames_read_the_world_and_returns_off_the_trace(run):
    """The first frame is the start world the trace recorded, and each frame's returns are
    the trace's running returns after that step, to the bit."""
    (episode,) = replay(run)
    trace = episode.trace
    assert np.array_equal(episode.walls, trace.walls)
    assert np.array_equal(episode.frames[0].objects, trace.objects)
    assert trace.returns.shape == (trace.steps + 1, 3) and trace.consumed.sum() > 0
    assert ([(f.base, f.mesa, f.intended) for f in episode.frames]
            == [tuple(row) for row in trace.returns.tolist()])


def test_replays_are_the_cross_evaluation_episodes(run):
    """Replaying every evaluation episode of a phase gives, on average, the base return that
    crosseval.csv recorded for that individual there."""
    cross = pd.read_csv(run / "crosseval.csv")
    first = replay(run)[0]
    row = cross[(cross.generation == first.generation) & (cross.id == first.individual)
                & (cross.eval_phase == first.phase)].iloc[0]
    returns = [replay(run, k=k)[0].trace.base for k in range(3)]  # record.crosseval_episodes
    assert np.mean(returns) == pytest.approx(row.base_return, rel=1e-12)


def test_the_gif_decodes_and_repeats_to_the_byte(run, tmp_path):
    """`evo replay` writes a GIF of steps + 1 frames that Pillow decodes; the same arguments
    give the same bytes."""
    paths = [tmp_path / "a.gif", tmp_path / "b.gif"]
    for path in paths:
        assert main(["replay", str(run), "-o", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    image = Image.open(paths[0])
    assert image.n_frames == replay(run)[0].trace.steps + 1


def test_all_phases_side_by_side(run):
    """`--phase all` on `evolution`: one panel per phase, in one frame sequence."""
    episodes = replay(run, phase="all")
    assert [ep.phase for ep in episodes] == ["ancestral", "modern"]
    one, both = frames_of(episodes[:1])[0], frames_of(episodes)[0]
    assert both.width == 2 * one.width
    data = gif(episodes)
    assert Image.open(io.BytesIO(data)).n_frames == max(len(ep.frames) for ep in episodes)


def test_ascii_with_walls_and_terminal_objects(tmp_path, capsys):
    """`--ascii` on `coinrun` (corridor walls, terminal objects): text frames with walls and
    the agent, one per step until the level ends."""
    out = start("coinrun", ["ga.population=8", "ga.episodes=2", "phases.training.generations=2",
                            "phases.test.generations=1", "record.crosseval_episodes=2",
                            "world.barrier_density=0.6"], tmp_path / "coin", quiet=True)
    assert main(["replay", str(out), "--phase", "test", "--ascii"]) == 0
    text = capsys.readouterr().out
    (episode,) = replay(out, phase="test")
    frames = text.split("\n\n")
    assert len(frames) == episode.trace.steps + 1
    assert all("@" in frame for frame in frames) and "#" in text
    assert episode.trace.steps < 40 or episode.trace.consumed.sum() == 0


def test_bad_arguments_are_one_line(run, capsys):
    """An unknown phase, an unrecorded generation, an unknown individual, an episode out of
    range: one line each."""
    for args in (["--phase", "nope"], ["--generation", "99"], ["--individual", "123456"],
                 ["--episode", "50"], ["--individual", "best"]):
        assert main(["replay", str(run), *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("evo: error: ") and err.count("\n") == 1, err


@pytest.mark.parametrize("scenario, extra", [
    ("troops", []), ("planning", []), ("coinrun", []), ("aurora", []),
    ("evolution", ["agent.kind=\"aligned\""]), ("evolution", ["agent.kind=\"random\""]),
    ("inspection", []), ("hungry-thirsty", []), ("evolution", ["agent.kind=\"reactive\""]),
    ("evolution", ["agent.kind=\"mixed\""]), ("planning", ["world.variation=\"fixed\""]),
], ids=["respawns", "mazes", "terminal", "aurora", "aligned kind", "random kind", "context",
        "state", "reactive kind", "mixed kind", "fixed world"])
def test_every_scenario_and_kind_replays(tmp_path, scenario, extra):
    """Respawning objects, mazes, terminal objects, every agent kind, a context flag and a
    state flag that blocks eating: the frames rebuilt from the trace give the kernel's
    returns, each step's consumption is what the rebuilt world held under the agent when
    the flags allowed it, and each frame names the flags the kernel recorded."""
    from evo.scenario import load_scenario

    phases = load_scenario(scenario).phases
    tiny = ["ga.population=6", "ga.episodes=2", "record.crosseval_episodes=2",
            *[f"phases.{i}.generations=1" for i in range(len(phases))], *extra]
    out = start(scenario, tiny, tmp_path / "run", quiet=True)
    for episode in replay(out, phase="all"):
        last = episode.frames[-1]
        trace = episode.trace
        assert (last.base, last.mesa, last.intended) == (trace.base, trace.mesa, trace.intended)
        eaten = np.zeros(len(episode.names), dtype=np.int64)
        for before, after in zip(episode.frames, episode.frames[1:]):
            kind = before.objects[after.agent]
            if kind >= 0 and before.allowed[kind]:
                eaten[kind] += 1
        assert eaten.tolist() == trace.consumed.tolist()
        assert ([(f.base, f.mesa, f.intended) for f in episode.frames]
                == [tuple(row) for row in trace.returns.tolist()])
        flag_names = load_scenario(scenario).flags
        for frame, flags in zip(episode.frames, trace.flags):
            assert frame.flags == tuple(f.name for k, f in enumerate(flag_names) if flags >> k & 1)
        assert len(gif([episode])) > 0


def test_the_cue_and_the_thirst_are_shown(tmp_path):
    """A thirsty agent's frame says `on: thirsty` and shows food as blocked; an inspection
    episode's frames say `on: inspected` and give the forbidden object its inspected value
    (1 - 5 = -4); an uninspected one says neither."""
    thirsty = start("hungry-thirsty", ["phases.rooms.generations=2", "ga.population=8"],
                    tmp_path / "ht", quiet=True)
    (episode,) = replay(thirsty)
    texts = ascii_frames([episode])
    shown = [text for frame, text in zip(episode.frames, texts) if frame.flags == ("thirsty",)]
    assert shown and all("on: thirsty" in t and "food: value +1.00, blocked" in t
                         for t in shown)
    watched = start("inspection", ["phases.training.generations=2", "ga.population=8"],
                    tmp_path / "insp", quiet=True)
    on, _, off = replay(watched, phase="all")  # training, watched, unwatched
    assert on.phase == "training" and off.phase == "unwatched"
    (inspected,) = replay(watched, phase="watched")
    text = ascii_frames([inspected])[0]
    assert "on: inspected" in text and "forbidden: value -4.00" in text
    text = ascii_frames([off])[0]
    assert "on:" not in text and "forbidden: value +1.00" in text


def test_a_reactive_agent_shows_the_scores_it_acts_on(tmp_path):
    """A reactive agent's frames carry the score of each action it weighs next (None for a
    wall); the first action of highest score is the one the kernel took, at every step; the
    text and the picture show them."""
    out = start("evolution", [*TINY, "agent.kind=\"reactive\""], tmp_path / "run",
                quiet=True)
    (episode,) = replay(out)
    assert episode.view_radius == 2
    for frame, action in zip(episode.frames, episode.trace.actions):
        best = max(s for s in frame.scores if s is not None)
        assert frame.scores.index(best) == action
    assert episode.frames[-1].scores is None
    assert "scores: " in ascii_frames([episode])[0]
    assert len(gif([episode])) > 0


def test_a_type_named_after_a_colour_is_drawn_in_it(tmp_path):
    """In aurora every type names its banner's colour (enemy_red, ally_green, ...): on the
    grid and in the legend each is drawn in that colour, reds red and greens green, every
    object whole, those on the grid's edge too; a scenario whose names name no colour keeps
    the colour cycle by type."""
    from evo.replay.draw import COLOURS, LEGEND, NAMED, type_colours

    tiny = ["ga.population=6", "ga.episodes=1", "record.crosseval_episodes=1",
            "phases.0.generations=1", "phases.1.generations=1"]
    out = start("aurora", tiny, tmp_path / "run", quiet=True)
    episode = replay(out, phase="war_with_aurora")[0]
    image = np.asarray(frames_of([episode])[0].convert("RGB"))
    rgb = {word: tuple(int(NAMED[word][i:i + 2], 16) for i in (1, 3, 5)) for word in NAMED}
    colour_of = [rgb[next(w for w in name.split("_") if w in NAMED)] for name in episode.names]
    height, width = episode.walls.shape
    for t in range(len(episode.names)):  # the legend's disc of each type
        assert tuple(image[TOP + 16 * (t + 1) + 7, width * CELL + 13]) == colour_of[t]
    objects = episode.frames[0].objects
    edge = 0
    for row, col in zip(*np.nonzero(objects >= 0)):
        if (row, col) == tuple(episode.frames[0].agent):
            continue
        disc = image[TOP + row * CELL + 4:TOP + row * CELL + CELL - 4,
                     col * CELL + 4:col * CELL + CELL - 4]
        assert tuple(disc[CELL // 2 - 4, CELL // 2 - 4]) == colour_of[objects[row, col]]
        assert (disc == colour_of[objects[row, col]]).all(axis=2).sum() >= 100  # whole
        edge += row in (0, height - 1) or col in (0, width - 1)
    assert edge > 0 and image.shape[1] == width * CELL + LEGEND
    plain = load_scenario_names("evolution")
    assert type_colours(plain) == [7 + t % 14 for t in range(len(plain))]
    assert COLOURS[type_colours(["ally_green"])[0]] == NAMED["green"]


def load_scenario_names(name: str) -> list[str]:
    """The object types of a built-in scenario."""
    from evo.scenario import load_scenario

    return [obj.name for obj in load_scenario(name).objects]
