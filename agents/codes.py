"""Integer codes shared by the numba kernel, the Python reference and the config layer."""

# Actions, in the order the planner's breadth-first search tries neighbours.
STAY, NORTH, SOUTH, WEST, EAST = 0, 1, 2, 3, 4
MOVES = (NORTH, SOUTH, WEST, EAST)
# Row and column offsets, indexed by action.
DROW = (0, -1, 1, 0, 0)
DCOL = (0, 0, 0, -1, 1)

LAYOUTS = {"open": 0, "walls": 1, "maze": 2, "corridor": 3, "map": 4}
LAYOUT_OPEN, LAYOUT_WALLS, LAYOUT_MAZE, LAYOUT_CORRIDOR, LAYOUT_MAP = 0, 1, 2, 3, 4

# How much of the world an episode draws anew: everything (`layouts`), the objects on a
# layout fixed for the phase (`placements`), or nothing: one world for the phase (`fixed`).
VARIATIONS = {"layouts": 0, "placements": 1, "fixed": 2}
VARIATION_LAYOUTS, VARIATION_PLACEMENTS, VARIATION_FIXED = 0, 1, 2

STARTS = {"center": 0, "left_edge": 1, "random": 2}
START_CENTER, START_LEFT_EDGE, START_RANDOM = 0, 1, 2

# A region restricts where a phase places one object type; `adjacent` takes a type argument.
REGIONS = {
    "anywhere": 0,
    "left": 1,
    "right": 2,
    "right_edge": 3,
    "top": 4,
    "bottom": 5,
    "corners": 6,
    "adjacent": 7,
}
REGION_ADJACENT = 7

# The decision procedure that chooses an agent's action (an agent kind names those it acts
# with): the planner's search, none (the agent always wanders at random), or a reactive
# policy over a local window. Each one's name and what it is to the rest of the system is its
# row of agents.kinds.MACHINES.
MACHINE_PLANNER, MACHINE_RANDOM, MACHINE_REACTIVE = 0, 1, 2

EMPTY = -1  # object grid value of a cell without an object
