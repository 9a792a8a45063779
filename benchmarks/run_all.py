"""Run every `benchmarks/*_bench.py` in turn, each in its own Python process.

`make bench` calls this. Benchmarks run one after another, never together:
on a small machine two at once would measure each other. Each prints its own
tables; this script adds a header per benchmark and a closing summary, and
exits non-zero if any benchmark failed (the others still run).

    python benchmarks/run_all.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PATTERN = "*_bench.py"


@dataclass(frozen=True, slots=True)
class Ran:
    name: str
    returncode: int
    seconds: float


def discover(directory: Path = BENCH_DIR, only: list[str] | None = None) -> list[Path]:
    """The benchmark scripts, sorted by name; `only` filters by name stem."""
    found = sorted(directory.glob(PATTERN))
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        found = [path for path in found if path.stem in wanted]
    return found


def run_one(path: Path) -> Ran:
    """Run one benchmark with this interpreter; its output goes straight through."""
    print(f"\n=== {path.name} ===", flush=True)
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, str(path)], check=False)
    return Ran(path.name, completed.returncode, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="benchmark names, e.g. ingest_bench")
    args = parser.parse_args(argv)

    scripts = discover(only=args.only)
    if not scripts:
        print(f"no {PATTERN} found in {BENCH_DIR}")
        return 1
    ran = [run_one(path) for path in scripts]

    print("\n=== summary ===")
    for r in ran:
        status = "ok" if r.returncode == 0 else f"FAILED (exit {r.returncode})"
        print(f"{r.name:<24} {r.seconds:6.1f} s  {status}")
    return 0 if all(r.returncode == 0 for r in ran) else 1


if __name__ == "__main__":
    raise SystemExit(main())
