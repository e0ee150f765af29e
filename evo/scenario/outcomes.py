"""How episodes end, per individual: the columns both the run and the analysis name."""

import numpy as np

# Shares of an individual's episodes: ended by consuming a terminal object (the rest ran out
# of steps), with a base return <= 0, and both (CoinRun's "reached the end without the
# coin"). Needed per episode, so they cannot be recovered from mean consumption counts.
OUTCOME_COLUMNS = ("ended_share", "empty_handed_share", "ended_empty_handed_share")


def outcome_shares(returns, terminal: np.ndarray) -> np.ndarray:
    """Shares of each agent's episodes per OUTCOME_COLUMNS, (P, 3); terminal (T,) bool."""
    ended = returns.consumed[:, :, terminal].sum(axis=2) > 0
    empty_handed = returns.base <= 0.0
    return np.stack([ended.mean(axis=1), empty_handed.mean(axis=1),
                     (ended & empty_handed).mean(axis=1)], axis=1)
