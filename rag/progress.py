"""A terminal progress bar (tqdm) behind the ``Progress`` callback the index builder reports to.

Does not decide what is long work; the builder calls it per embedded batch.
"""

from __future__ import annotations

from types import TracebackType

from tqdm import tqdm


class TqdmProgress:
    """``progress(stage, done, total)`` drawn as one tqdm bar per stage on stderr."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None or stage != self._stage:
            self.close()
            self._bar = tqdm(total=total, desc=stage, unit="text", leave=False, dynamic_ncols=True)
            self._stage = stage
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> TqdmProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
