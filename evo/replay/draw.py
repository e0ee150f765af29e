"""Drawing replays: frames as images (a GIF) or as text for a terminal.

Each frame shows the grid and its walls, each object by type (a legend gives the type's
`value` and this agent's internal reward R for it under the flags in force), the agent, its
path so far and its planner's target, and a ticker with the step, the returns so far and
the flags on (an inspection's cue, the agent's thirst). A reactive agent, which has no
target, shows its window (the cells it sees) and the score of each action it weighs next.
Several episodes (one per phase) are drawn side by side in the same number of frames; an
episode that ended early holds its last frame. Images use one fixed palette, so the same
episodes give the same bytes.
"""

import io
import re

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from agents.kinds.reactive import ACTIONS

CELL = 22  # pixels per grid cell
LEGEND = 250  # pixels of the legend beside a grid
TOP = 34  # pixels of the ticker above a grid
# The fixed palette: background, text, grid, wall, path, agent, target; then the colours
# object types cycle through; then the named colours the cycle lacks.
COLOURS = ["#ffffff", "#222222", "#f3efe6", "#4a4a4a", "#9bb7d4", "#111111", "#d62728",
           "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
           "#17becf", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94",
           "#c8102e", "#f2d200", "#d4a017"]
BACKGROUND, TEXT, FREE, WALL, PATH, AGENT, TARGET = range(7)
FIRST_TYPE, LAST_TYPE = 7, 21  # the cycle of object types' colours: COLOURS[7:21]
# A type named after a colour (a word of its name, split at `_` or `-`) is drawn in it.
NAMED = {"red": "#c8102e", "orange": "#ff7f0e", "yellow": "#f2d200", "gold": "#d4a017",
         "green": "#2ca02c", "blue": "#1f77b4", "purple": "#9467bd", "violet": "#9467bd",
         "pink": "#e377c2", "brown": "#8c564b", "grey": "#7f7f7f", "gray": "#7f7f7f",
         "cyan": "#17becf"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _palette() -> list[int]:
    """The palette as Pillow wants it: 768 bytes of RGB."""
    flat = []
    for colour in COLOURS:
        flat += [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return flat + [0] * (768 - len(flat))


def type_colours(names) -> list[int]:
    """The palette index of each object type: its name's colour if it names one, else the
    next colour of the cycle that no named type took (by the type's index, so a scenario
    without colour names draws as it always did)."""
    named = [next((COLOURS.index(NAMED[word]) for word in re.split(r"[_\W]+", name.lower())
                   if word in NAMED), None) for name in names]
    free = [i for i in range(FIRST_TYPE, LAST_TYPE) if i not in named]
    return [colour if colour is not None else free[t % len(free)]
            for t, colour in enumerate(named)]


def _fmt(x: float) -> str:
    return f"{x:+.2f}"


def panel(ep, frame, font) -> Image.Image:
    """One episode's frame: ticker, grid and legend."""
    height, width = ep.walls.shape
    image = Image.new("P", (width * CELL + LEGEND, height * CELL + TOP), BACKGROUND)
    image.putpalette(_palette())
    draw = ImageDraw.Draw(image)
    colours = type_colours(ep.names)
    ticker = (f"{ep.phase}  step {frame.step}/{ep.trace.steps}  base {frame.base:.2f}  "
              f"internal {frame.mesa:.2f}")
    if not np.array_equal(ep.values, ep.intended):
        ticker += f"  intended {frame.intended:.2f}"
    draw.text((4, 2), ticker, fill=TEXT, font=font)
    machine = f"reactive, view {ep.view_radius}" if ep.view_radius else f"horizon {ep.horizon}"
    draw.text((4, 17), f"generation {ep.generation}, individual {ep.individual}, {machine}",
              fill=TEXT, font=font)
    if frame.flags:  # the cue or the state the agent sees, in the target's red
        draw.text((width * CELL + 8, 17), "on: " + ", ".join(frame.flags), fill=TARGET,
                  font=font)
    for row in range(height):
        for col in range(width):
            x, y = col * CELL, TOP + row * CELL
            draw.rectangle([x, y, x + CELL - 1, y + CELL - 1],
                           fill=WALL if ep.walls[row, col] else FREE)
            t = frame.objects[row, col]
            if t >= 0:
                draw.ellipse([x + 4, y + 4, x + CELL - 5, y + CELL - 5], fill=colours[t])
    centre = [(c * CELL + CELL // 2, TOP + r * CELL + CELL // 2) for r, c in frame.path]
    if len(centre) > 1:
        draw.line(centre, fill=PATH, width=3)
    if frame.target is not None:
        r, c = frame.target
        draw.rectangle([c * CELL + 1, TOP + r * CELL + 1, c * CELL + CELL - 2,
                        TOP + r * CELL + CELL - 2], outline=TARGET, width=2)
    if frame.scores is not None:  # a reactive agent: the cells it sees
        row, col = frame.agent
        for r in range(max(row - ep.view_radius, 0), min(row + ep.view_radius + 1, height)):
            for c in range(max(col - ep.view_radius, 0), min(col + ep.view_radius + 1, width)):
                if abs(r - row) + abs(c - col) <= ep.view_radius:
                    draw.rectangle([c * CELL, TOP + r * CELL, c * CELL + CELL - 1,
                                    TOP + r * CELL + CELL - 1], outline=PATH, width=1)
    r, c = frame.agent
    draw.ellipse([c * CELL + 5, TOP + r * CELL + 5, c * CELL + CELL - 6, TOP + r * CELL + CELL - 6],
                 fill=AGENT, outline=BACKGROUND)
    x = width * CELL + 8
    draw.text((x, TOP), "type: value, R (internal)", fill=TEXT, font=font)
    for t, name in enumerate(ep.names):
        y = TOP + 16 * (t + 1)
        draw.ellipse([x, y + 2, x + 10, y + 12], fill=colours[t])
        draw.text((x + 16, y), _legend(ep, frame, t, name), fill=TEXT, font=font)
    y = TOP + 16 * (len(ep.names) + 1)
    if frame.scores is not None:
        draw.text((x, y), _scores(frame.scores), fill=TARGET, font=font)
    else:
        draw.text((x, y), "red square: planner's target", fill=TARGET, font=font)
    return image


def _scores(scores) -> str:
    """A reactive agent's scores, the chosen action first among equals marked with *."""
    best = max(s for s in scores if s is not None)
    chosen = next(a for a, s in enumerate(scores) if s == best)
    return "scores: " + " ".join(
        f"{name}{'*' if a == chosen else ''} {'wall' if s is None else _fmt(s)}"
        for a, (name, s) in enumerate(zip(ACTIONS, scores)))


def _legend(ep, frame, t: int, name: str, label: str = "") -> str:
    """A type's legend line: its value and the agent's R for it under the flags on now (or
    that it may not consume it now)."""
    wanted = f"R {_fmt(frame.reward[t])}" if frame.allowed[t] else "blocked"
    return f"{name}: {label}{_fmt(frame.values[t])}, {wanted}"


def frames_of(episodes) -> list[Image.Image]:
    """Every frame of several episodes drawn side by side, as many frames as the longest."""
    font = ImageFont.load_default(size=11)
    count = max(len(ep.frames) for ep in episodes)
    images = []
    for i in range(count):
        panels = [panel(ep, ep.frames[min(i, len(ep.frames) - 1)], font) for ep in episodes]
        image = Image.new("P", (sum(p.width for p in panels), max(p.height for p in panels)),
                          BACKGROUND)
        image.putpalette(_palette())
        x = 0
        for p in panels:
            image.paste(p, (x, 0))
            x += p.width
        images.append(image)
    return images


def gif(episodes, milliseconds: int = 180) -> bytes:
    """The animated GIF of several episodes side by side (the last frame held longer)."""
    images = frames_of(episodes)
    durations = [milliseconds] * (len(images) - 1) + [milliseconds * 8]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0, optimize=False, disposal=1)
    return buffer.getvalue()


def ascii_frames(episodes) -> list[str]:
    """Every frame as text: `#` a wall, `.` free, a letter per object type (the legend says
    which), `@` the agent, `+` its target; episodes side by side."""
    count = max(len(ep.frames) for ep in episodes)
    out = []
    for i in range(count):
        blocks = [_ascii_panel(ep, ep.frames[min(i, len(ep.frames) - 1)]) for ep in episodes]
        width = [max(len(line) for line in block) for block in blocks]
        rows = max(len(block) for block in blocks)
        lines = ["   ".join(block[r].ljust(w) if r < len(block) else " " * w
                            for block, w in zip(blocks, width)).rstrip() for r in range(rows)]
        out.append("\n".join(lines))
    return out


def _ascii_panel(ep, frame) -> list[str]:
    """One episode's frame as lines of text."""
    height, width = ep.walls.shape
    lines = [f"{ep.phase} step {frame.step}/{ep.trace.steps}"
             + (f" on: {', '.join(frame.flags)}" if frame.flags else ""),
             f"base {frame.base:.2f} internal {frame.mesa:.2f}"]
    for row in range(height):
        chars = []
        for col in range(width):
            t = frame.objects[row, col]
            char = "#" if ep.walls[row, col] else "." if t < 0 else LETTERS[t % 26]
            if frame.target == (row, col):
                char = "+"
            if frame.agent == (row, col):
                char = "@"
            chars.append(char)
        lines.append("".join(chars))
    lines += [f"{LETTERS[t % 26]} {_legend(ep, frame, t, name, 'value ')}"
              for t, name in enumerate(ep.names)]
    if frame.scores is not None:
        lines.append(_scores(frame.scores))
    return lines
