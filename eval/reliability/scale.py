"""How hard the reliability tests push: a short scale for every CI run, a full one for the report.

Does not run anything; the tests read their figures from the ``Scale`` they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScaleName = Literal["ci", "full"]


@dataclass(frozen=True)
class Scale:
    """Sizes of each reliability test (CI keeps the suite short; ``full`` is what the report quotes)."""

    name: ScaleName
    users: int  # concurrent simulated chat users
    seconds: float  # how long they ask questions
    max_requests_per_user: int  # a bound on each user, whatever the speed of the machine
    kills: int  # SIGKILLs of `sanad index` at random points of an update
    serve_kills: int  # SIGKILLs of `sanad serve` during an upload
    fuzz_examples: int  # hypothesis examples per property
    disk_levels: int  # free-space levels tried on a full disk

    def __post_init__(self) -> None:
        if min(self.users, self.kills, self.serve_kills, self.fuzz_examples, self.disk_levels) < 1 or self.seconds <= 0:
            raise ValueError(f"every size of the {self.name!r} scale must be positive")


SCALES: dict[ScaleName, Scale] = {
    "ci": Scale("ci", users=4, seconds=10, max_requests_per_user=200, kills=5, serve_kills=1,
                fuzz_examples=150, disk_levels=4),
    "full": Scale("full", users=20, seconds=60, max_requests_per_user=2000, kills=50, serve_kills=5,
                  fuzz_examples=2000, disk_levels=12),
}
