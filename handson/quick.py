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

__all__ = ["QUICK_EPOCHS", "check", "epochs", "is_quick", "margin", "shrink"]

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


_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def check(what: str, value, op: str, threshold, *, quick: bool = False) -> None:
    """Assert ``value op threshold``, a result the tutorial claims, and record both numbers.

    ``what`` names the measured quantity (``"test accuracy of the MLP"``); ``value`` is
    what the code measured and ``threshold`` what the page claims about it, so the
    message and the site's results page show, e.g., ``test accuracy 0.8712 >= 0.85``
    and how close the claim came to failing. ``op`` is one of ``> >= < <= == !=``.

    A shrunk run cannot reach the accuracy of a full one, so in quick mode a failed
    check prints ``[quick mode] not checked: ...`` instead of failing, unless
    ``quick=True`` says the claim holds at the quick size too (the seed-robustness
    tests run every page in quick mode over several seeds and rely on those).
    Returns ``None``, so a cell that ends in a check shows no stray ``True``.

    Examples
    --------
    >>> import os
    >>> os.environ["HANDSON_QUICK"] = "0"; check("accuracy", 0.9, ">=", 0.8)
    >>> check("accuracy", 0.7, ">=", 0.8)
    Traceback (most recent call last):
    ...
    AssertionError: check failed: accuracy 0.7 >= 0.8 does not hold
    """
    if op not in _OPS:
        raise ValueError(f"check: op must be one of {' '.join(_OPS)}, got {op!r}.")
    if not isinstance(what, str) or not what:
        raise TypeError(f"check: the first argument names what is measured, got {what!r}.")
    value, threshold = _plain(value), _plain(threshold)
    passed = bool(_OPS[op](value, threshold))
    text = f"{what} {_fmt(value)} {op} {_fmt(threshold)}"
    asserted = quick or not is_quick()
    _record(text, passed, what=what, value=value, op=op, threshold=threshold,
            asserted=asserted)
    if passed:
        return None
    if not asserted:
        print(f"[quick mode] not checked: {text} does not hold")
        return None
    raise AssertionError(f"check failed: {text} does not hold")


def margin(value, op: str, threshold) -> float | None:
    """How far ``value`` is from failing ``value op threshold``, relative to the threshold.

    Positive when the check holds; ``None`` for non-numeric values or ``==``/``!=``.
    A margin under 0.01 means a 1 % change of the result would flip the check.

    Examples
    --------
    >>> round(margin(0.87, ">=", 0.85), 4)
    0.0235
    >>> round(margin(0.1, "<", 0.2), 2)
    0.5
    """
    if op not in (">", ">=", "<", "<=") or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, threshold)):
        return None
    diff = value - threshold if op.startswith(">") else threshold - value
    return diff / abs(threshold) if threshold else diff


def _plain(x):
    """Turn one-element tensors and NumPy scalars into Python numbers."""
    if hasattr(x, "item") and getattr(x, "ndim", 0) == 0 and not isinstance(x, (str, bytes)):
        try:
            return x.item()
        except (TypeError, ValueError):
            return x
    return x


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, (set, frozenset)):
        return "{" + ", ".join(sorted(map(repr, x))) + "}"
    return repr(x) if isinstance(x, str) else str(x)


def _record(message: str, passed: bool, **figures) -> None:
    """Append the check to ``HANDSON_RESULTS_FILE`` (set by the docs build) if set.

    The site's results page lists what every tutorial checked, with the measured value,
    the threshold and the margin between them; outside the build nothing is written.
    """
    path = os.environ.get("HANDSON_RESULTS_FILE", "").strip()
    if not path:
        return
    entry = {"message": message, "passed": passed, "quick": is_quick()}
    for key, val in figures.items():
        entry[key] = val if isinstance(val, (int, float, str, bool, type(None))) else str(val)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
