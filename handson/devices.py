"""Where tensors live: pick the accelerator when there is one."""

from __future__ import annotations

import os

import torch

__all__ = ["device"]


def device() -> torch.device:
    """Return the device tutorials train on: ``cuda`` if available, else ``cpu``.

    ``HANDSON_DEVICE`` (for example ``cpu`` or ``cuda:1``) overrides the choice, so a
    page can be rerun on the CPU of a GPU machine for comparison.
    Taught in :doc:`/auto_tutorials/01_getting_started/01_fit_a_line`.

    Examples
    --------
    >>> import os
    >>> os.environ["HANDSON_DEVICE"] = "cpu"; device()
    device(type='cpu')
    """
    wanted = os.environ.get("HANDSON_DEVICE", "").strip()
    if wanted:
        try:
            dev = torch.device(wanted)
        except RuntimeError as err:
            raise ValueError(
                f"HANDSON_DEVICE={wanted!r} is not a torch device; use e.g. cpu or cuda:0."
            ) from err
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"HANDSON_DEVICE={wanted!r} but torch sees no CUDA device; unset it or use cpu."
            )
        return dev
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
