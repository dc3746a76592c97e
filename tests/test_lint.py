"""ruff finds nothing: unused names, undefined names, unsorted imports, long lines."""

from __future__ import annotations

import shutil
import subprocess

from conftest import ROOT


def test_ruff_check_passes():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is missing: it is pinned in requirements.txt"
    proc = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
