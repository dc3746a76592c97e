"""``python -m handson.data``: list, download and verify the course's data sets."""

from __future__ import annotations

import argparse
import sys

from handson.data.errors import DataError
from handson.data.registry import REGISTRY
from handson.data.store import cache_dir, fetch, verify_cached


def _list() -> int:
    print(f"cache folder: {cache_dir()}")
    for name, ds in REGISTRY.items():
        status = verify_cached(name)
        if all(p is None for p in status.values()):
            state = "cached"
        elif all(p == "missing" for p in status.values()):
            state = "not downloaded"
        else:
            state = "incomplete or corrupt"
        print(f"{name:22} {state:22} {ds.description}")
    return 0


def _download(names: list[str], every: bool) -> int:
    if every == bool(names):
        print("give data set names or --all (see: python -m handson.data list)", file=sys.stderr)
        return 2
    failed = 0
    for name in REGISTRY if every else names:
        try:
            folder = fetch(name)
        except (DataError, KeyError) as err:
            print(f"{name}: FAILED\n{err}", file=sys.stderr)
            failed += 1
        else:
            print(f"{name}: ok ({folder})")
    return 1 if failed else 0


def _verify(names: list[str]) -> int:
    bad = []
    for name in names or REGISTRY:
        if name not in REGISTRY:
            print(f"unknown data set {name!r}; known: {', '.join(REGISTRY)}", file=sys.stderr)
            return 2
        for fname, problem in verify_cached(name).items():
            if problem is None:
                print(f"ok       {name}/{fname}")
            elif problem == "missing":
                print(f"missing  {name}/{fname}")
            else:
                print(f"BAD      {name}/{fname}: {problem}")
                bad.append(f"{name}/{fname}")
    if bad:
        print(f"\n{len(bad)} corrupt file(s): {', '.join(bad)}", file=sys.stderr)
        print("run `python -m handson.data download NAME` to fetch them again", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m handson.data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the data sets and whether they are cached")
    dl = sub.add_parser("download", help="fetch and verify data sets into the cache")
    dl.add_argument("names", nargs="*")
    dl.add_argument("--all", action="store_true", help="every data set in the registry")
    ver = sub.add_parser("verify", help="check cached files; exit 1 if any is corrupt")
    ver.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "download":
        return _download(args.names, args.all)
    return _verify(args.names)


if __name__ == "__main__":
    sys.exit(main())
