"""Every tutorial runs top to bottom in quick mode, in its own process, for three seeds.

Parametrized from the files on disk: a new tutorial is tested without editing this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from layout import tutorial_files

ROOT = Path(__file__).resolve().parents[1]

#: Generous: quick mode aims at under 10 s a page; this limit only catches a hang.
TIME_LIMIT_S = 120

TUTORIALS = tutorial_files()


def test_tutorials_were_found():
    assert len(TUTORIALS) >= 2, f"no tutorials found under {ROOT / 'tutorials'}"


@pytest.mark.parametrize("offset", [0, 1, 2], ids=["seed", "seed+1", "seed+2"])
@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_in_quick_mode(path: Path, offset: int, tmp_path: Path):
    """The page runs, and its checks that hold in quick mode (``handson.check(...,
    quick=True)``) and its asserts hold for the page's seeds shifted by ``offset`` too:
    a check that passes for one seed only is a check of noise."""
    env = {**os.environ, "HANDSON_QUICK": "1", "MPLBACKEND": "Agg",
           "HANDSON_SEED_OFFSET": str(offset),
           "HANDSON_NUM_THREADS": os.environ.get("HANDSON_NUM_THREADS", "2")}
    env["HANDSON_DATA_DIR"] = os.environ.get("HANDSON_TEST_DATA_DIR", str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=TIME_LIMIT_S,
    )
    assert proc.returncode == 0, \
        f"{path.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    assert proc.stdout.strip(), f"{path.name} printed nothing: its results are not shown"
