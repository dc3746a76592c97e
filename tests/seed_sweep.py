"""Run tutorials at full settings with shifted seeds and tabulate their checks.

The test suite runs every page in quick mode for three seeds (``tests/test_tutorials.py``);
claims that only hold at full size are checked here, by a maintainer, before a page's
thresholds are trusted::

    nox -s seeds -- tricks_of_the_trade lenet --offsets 0 1 2 3

Each run gets ``HANDSON_SEED_OFFSET=k`` and its own results file; the table shows, per
check, the measured value for every offset and the smallest margin. A failed check
fails the run (non-zero exit), so a threshold without margin is found before a reader
with another seed finds it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "reference" / "_ext")]
from layout import tutorial_files  # noqa: E402

from handson.quick import margin  # noqa: E402


def run(page: Path, offset: int, quick: bool) -> tuple[int, list[dict]]:
    """Run ``page`` once; return its exit status and the checks it recorded."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {**os.environ, "HANDSON_SEED_OFFSET": str(offset), "MPLBACKEND": "Agg",
               "HANDSON_RESULTS_FILE": str(results), "HANDSON_QUICK": "1" if quick else "0"}
        proc = subprocess.run([sys.executable, str(page)], cwd=tmp, env=env,
                              capture_output=True, text=True)
        if proc.returncode:
            print(proc.stdout[-1500:], proc.stderr[-1500:], sep="\n")
        checks = [json.loads(line) for line in results.read_text().splitlines()] \
            if results.is_file() else []
    return proc.returncode, checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="+", help="regexes on tutorial paths")
    parser.add_argument("--offsets", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="quick mode (seconds)")
    args = parser.parse_args()
    pages = [p for p in tutorial_files() if any(re.search(x, str(p)) for x in args.patterns)]
    if not pages:
        parser.error(f"no tutorial matches {args.patterns}")
    failed = 0
    for page in pages:
        table: dict[str, list[str]] = {}
        worst: dict[str, float] = {}
        for offset in args.offsets:
            status, checks = run(page, offset, args.quick)
            failed += status != 0
            print(f"{page.stem} seed+{offset}: {'ok' if status == 0 else 'FAILED'}")
            for c in checks:
                key = c.get("what", c["message"])
                table.setdefault(key, []).append(str(c.get("value", c["passed"])))
                m = margin(c.get("value"), c.get("op", ""), c.get("threshold"))
                if m is not None:
                    worst[key] = min(worst.get(key, m), m)
        for key, values in table.items():
            low = f"  smallest margin {worst[key]:.1%}" if key in worst else ""
            print(f"   {key}: {', '.join(values)}{low}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
