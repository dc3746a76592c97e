"""Seeding every random number generator a tutorial uses, in one call."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed", "seed_offset"]


def seed_offset() -> int:
    """The shift ``HANDSON_SEED_OFFSET`` adds to every seed (default 0).

    The tests rerun pages with offsets 1, 2, 3, ... to show that their checks hold for
    other seeds too, not only for the one the page was written with.

    Examples
    --------
    >>> import os
    >>> os.environ.pop("HANDSON_SEED_OFFSET", None); seed_offset()
    0
    """
    text = os.environ.get("HANDSON_SEED_OFFSET", "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"HANDSON_SEED_OFFSET={text!r} is not an integer: unset it or use e.g. 1."
        ) from None


def seed(n: int = 0) -> None:
    """Seed Python's ``random``, NumPy and torch with ``n`` (plus ``seed_offset()``).

    Returns ``None``: a notebook cell ending in ``torch.manual_seed(0)`` shows the
    returned generator object, one ending in ``handson.seed(0)`` shows nothing.
    Taught in :doc:`/auto_tutorials/08_model_development/01_saving_and_loading`.

    Examples
    --------
    >>> seed(3); a = torch.rand(2)
    >>> seed(3); torch.equal(a, torch.rand(2))
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"seed needs a non-negative int, got {n!r}.")
    n += seed_offset()
    random.seed(n)
    np.random.seed(n)
    torch.manual_seed(n)
