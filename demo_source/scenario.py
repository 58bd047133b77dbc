"""What to generate (the spec), the period it covers, and the seeded random streams.

Every random number of a generation comes from a stream named by (seed, label, ...), so
one table's draws never shift another's and a rerun with the same spec repeats exactly.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from numbers import Integral, Real

import numpy as np

from analytics_assets.source.bad_rows import PLATFORM_LAUNCH

DAY = 86_400
HOUR = 3_600
LAUNCH = date.fromisoformat(PLATFORM_LAUNCH)
FIRST_START = LAUNCH + timedelta(days=60)
"""The earliest first day of a generated period: the platform needs a history before it."""


def _whole(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class GenerationSpec:
    """The arguments of a generation; the same spec always yields the same tables."""

    users: int = 2000
    days: int = 90
    end: date = date(2026, 6, 30)
    """Last generated day, inclusive."""
    seed: int = 7
    bad_rate: float = 0.0
    """Share of rows (per table) that break the source contract, in [0, 0.5]."""

    def __post_init__(self) -> None:
        if not _whole(self.users) or self.users < 1:
            raise ValueError(f"users must be a whole number >= 1, got {self.users!r}")
        if not _whole(self.days) or self.days < 1:
            raise ValueError(f"days must be a whole number >= 1, got {self.days!r}")
        if not isinstance(self.end, date) or isinstance(self.end, datetime):
            raise ValueError(f"end must be a date, got {self.end!r}")
        if not _whole(self.seed):
            raise ValueError(f"seed must be a whole number, got {self.seed!r}")
        rate = self.bad_rate
        if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate <= 0.5:
            raise ValueError(f"bad_rate must be between 0 and 0.5, got {rate!r}")
        if self.start < FIRST_START:
            raise ValueError(
                f"end {self.end} and days {self.days} start the period on {self.start}; it must "
                f"start on {FIRST_START} or later (the platform launched on {LAUNCH})"
            )

    @property
    def start(self) -> date:
        """First generated day."""
        return self.end - timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Period:
    """The generated days as epoch seconds: [start, end)."""

    start: int
    days: int

    @classmethod
    def of(cls, spec: GenerationSpec) -> Period:
        first = datetime(spec.start.year, spec.start.month, spec.start.day, tzinfo=UTC)
        return cls(int(first.timestamp()), spec.days)

    @property
    def end(self) -> int:
        return self.start + self.days * DAY

    @property
    def history_start(self) -> int:
        """The day after the launch: nothing in the data (bad rows aside) is older."""
        launch = datetime(LAUNCH.year, LAUNCH.month, LAUNCH.day, tzinfo=UTC)
        return int(launch.timestamp()) + DAY

    @property
    def first_day(self) -> int:
        """Epoch day number of the first day."""
        return self.start // DAY

    def day_start(self, day: int) -> int:
        return self.start + day * DAY


class Streams:
    """Independent seeded generators: `streams("events", day)` is always the same stream."""

    def __init__(self, seed: int) -> None:
        self._seed = int(seed) % 2**64

    def __call__(self, *labels: str | int) -> np.random.Generator:
        words = [self._seed & 0xFFFFFFFF, self._seed >> 32]
        for label in labels:
            words.append(zlib.crc32(label.encode()) if isinstance(label, str) else label % 2**32)
        return np.random.default_rng(np.random.SeedSequence(words))
