"""handson: the helpers that earlier tutorials of Hands-On Deep Learning built.

Each public object names the tutorial that derives it; the library holds nothing a
page has not taught. Submodules:

* :mod:`handson.data` -- verified, offline-capable loaders for the course's data sets;
* :mod:`handson.quick` -- quick mode for smoke tests (``HANDSON_QUICK=1``);
* :mod:`handson.devices` -- choosing CPU or GPU.
"""

from __future__ import annotations

from handson.devices import device
from handson.quick import check, epochs, is_quick, shrink

__all__ = ["check", "device", "epochs", "is_quick", "shrink"]
__version__ = "0.1.0"
