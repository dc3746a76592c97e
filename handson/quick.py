"""Quick mode: the same tutorial code, shrunk so that every page runs in seconds.

Set the environment variable ``HANDSON_QUICK=1`` and

* the data loaders in :mod:`handson.data` return a small slice of each data set,
* :func:`handson.epochs` caps the number of passes over the data,
* :func:`handson.check` reports (instead of asserting) results that only hold at full size.

The tutorial code reads the same in both modes; quick mode exists for the smoke tests
and for authors who iterate on a page.
"""

from __future__ import annotations

import json
import os

__all__ = ["QUICK_EPOCHS", "check", "epochs", "is_quick", "shrink"]

#: The most epochs any training loop runs in quick mode.
QUICK_EPOCHS = 2

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_quick() -> bool:
    """Whether quick mode is on (``HANDSON_QUICK`` set to ``1``, ``true``, ``yes``).

    Examples
    --------
    >>> import os
    >>> os.environ["HANDSON_QUICK"] = "0"; is_quick()
    False
    """
    value = os.environ.get("HANDSON_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"HANDSON_QUICK={value!r} is not understood: use 1 (quick mode) or 0 (full)."
    )


def epochs(num_epochs: int) -> int:
    """Return ``num_epochs`` at full settings and at most ``QUICK_EPOCHS`` (2) in quick mode.

    Examples
    --------
    >>> import os
    >>> os.environ["HANDSON_QUICK"] = "0"; epochs(10)
    10
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}.")
    return min(num_epochs, QUICK_EPOCHS) if is_quick() else num_epochs


def shrink(n: int, quick_n: int) -> int:
    """Return ``n`` at full settings and ``min(n, quick_n)`` in quick mode.

    The data loaders use it to cut data sets; tutorials may use it for any size that
    sets the run time (a number of samples, of steps, of grid points).

    Examples
    --------
    >>> import os
    >>> os.environ["HANDSON_QUICK"] = "0"; shrink(60_000, 2_000)
    60000
    """
    if n < 0 or quick_n < 1:
        raise ValueError(f"shrink needs n >= 0 and quick_n >= 1, got {n} and {quick_n}.")
    return min(n, quick_n) if is_quick() else n


def check(condition: bool, message: str) -> bool:
    """Assert a result a tutorial claims; in quick mode, report it visibly instead.

    A shrunk run cannot reach the accuracy of a full one, so quick mode prints
    ``[quick mode] not checked: <message>`` rather than failing or pretending.
    At full settings a false ``condition`` raises :class:`AssertionError` with
    ``message``. Returns ``condition`` so a caller can branch on it.

    Examples
    --------
    >>> import os
    >>> os.environ["HANDSON_QUICK"] = "0"; check(0.9 > 0.8, "accuracy above 0.8")
    True
    """
    condition = bool(condition)
    _record(message, condition)
    if is_quick():
        if not condition:
            print(f"[quick mode] not checked: {message}")
        return condition
    if not condition:
        raise AssertionError(f"check failed: {message}")
    return condition


def _record(message: str, passed: bool) -> None:
    """Append the check to ``HANDSON_RESULTS_FILE`` (set by the docs build) if set.

    The site's results page lists what every tutorial checked, with the figures its
    messages carry; outside the build nothing is written.
    """
    path = os.environ.get("HANDSON_RESULTS_FILE", "").strip()
    if not path:
        return
    entry = {"message": message, "passed": passed, "quick": is_quick()}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
