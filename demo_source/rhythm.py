"""When people use the platform: fewer on weekends, a morning and an evening peak (UTC).

Samplers here are vectorised: they return arrays of epoch seconds.
"""

from __future__ import annotations

import numpy as np

from demo_source.scenario import DAY, HOUR

# Relative activity per hour of day, UTC: quiet nights, a late-morning and an evening peak.
HOUR_WEIGHTS = np.array(
    [
        0.25,
        0.15,
        0.10,
        0.08,
        0.08,
        0.12,
        0.25,
        0.45,
        0.70,
        0.90,
        1.00,
        0.95,
        0.85,
        0.85,
        0.90,
        0.90,
        0.85,
        0.85,
        0.95,
        1.00,
        0.95,
        0.80,
        0.60,
        0.40,
    ]
)
_HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()

# Monday .. Sunday.
WEEKDAY_WEIGHTS = np.array([1.00, 1.03, 1.00, 0.97, 0.88, 0.60, 0.58])


def weekday(epoch_seconds: np.ndarray | int) -> np.ndarray | int:
    """0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday)."""
    return (np.floor_divide(epoch_seconds, DAY) + 3) % 7


def clock(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds into the day, following the hourly rhythm."""
    hours = rng.choice(24, size=n, p=_HOUR_P)
    return hours * HOUR + rng.integers(0, HOUR, size=n)


def rhythmic_between(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, rounds: int = 6
) -> np.ndarray:
    """A time in [lo, hi) for every pair, denser at busy hours and on weekdays.

    Rejection sampling: a uniform draw is kept with probability hour weight x weekday
    weight; a few rounds leave almost nothing uniform.
    """
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 1)
    out = lo + (rng.random(len(lo)) * span).astype(np.int64)
    todo = np.arange(len(lo))
    top = HOUR_WEIGHTS.max() * WEEKDAY_WEIGHTS.max()
    for _ in range(rounds):
        if len(todo) == 0:
            break
        accept = rng.random(len(todo)) * top < _weight(out[todo])
        todo = todo[~accept]
        out[todo] = lo[todo] + (rng.random(len(todo)) * span[todo]).astype(np.int64)
    return out


def _weight(t: np.ndarray) -> np.ndarray:
    return HOUR_WEIGHTS[(t % DAY) // HOUR] * WEEKDAY_WEIGHTS[weekday(t)]
