"""Where tensors live: pick the accelerator when there is one."""

from __future__ import annotations

import os

import torch

__all__ = ["device"]


def _mps_available() -> bool:
    """Whether Apple's Metal backend (``mps``) can be used by this torch build."""
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def _available(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return _mps_available()
    return True


def device() -> torch.device:
    """Return the device tutorials train on: ``cuda``, else Apple's ``mps``, else ``cpu``.

    ``HANDSON_DEVICE`` (for example ``cpu``, ``mps`` or ``cuda:1``) overrides the choice,
    so a page can be rerun on the CPU of a GPU machine for comparison. D2L's
    ``try_gpu`` looks for CUDA only; on an Apple laptop this picks the GPU too.
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
                f"HANDSON_DEVICE={wanted!r} is not a torch device; use e.g. cpu, mps or "
                "cuda:0."
            ) from err
        if dev.type in ("cuda", "mps") and not _available(dev.type):
            raise ValueError(
                f"HANDSON_DEVICE={wanted!r} but torch sees no {dev.type.upper()} device; "
                "unset it or use cpu."
            )
        return dev
    for kind in ("cuda", "mps"):
        if _available(kind):
            return torch.device(kind)
    return torch.device("cpu")
