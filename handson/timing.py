"""A stopwatch for training loops."""

from __future__ import annotations

import time

__all__ = ["Timer"]


class Timer:
    """Record several running times: ``start()``, ``stop()``, then read the totals.

    Taught in :doc:`/auto_tutorials/04_linear_classification/02_softmax_regression_scratch`.

    Examples
    --------
    >>> timer = Timer()
    >>> timer.start(); elapsed = timer.stop()
    >>> len(timer.times), elapsed >= 0, timer.sum() == elapsed
    (1, True, True)
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self._tik: float | None = None

    def start(self) -> None:
        """Start (or restart) the stopwatch."""
        self._tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the stopwatch, record the time since :meth:`start`, and return it."""
        if self._tik is None:
            raise RuntimeError("Timer.stop() called before Timer.start()")
        self.times.append(time.perf_counter() - self._tik)
        self._tik = None
        return self.times[-1]

    def sum(self) -> float:
        """Total of the recorded times, in seconds."""
        return sum(self.times)

    def avg(self) -> float:
        """Mean of the recorded times, in seconds."""
        if not self.times:
            raise RuntimeError("Timer.avg() needs at least one recorded time")
        return self.sum() / len(self.times)
