"""Run every benchmark in turn (``make bench``); each prints its own Markdown table."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "bench.bench_api",
    "bench.bench_pagination",
    "bench.bench_reservations",
    "bench.bench_bulk",
)


def main() -> int:
    failed = []
    for module in BENCHMARKS:
        print(f"\n## {module}\n", flush=True)
        if subprocess.run([sys.executable, "-m", module], check=False).returncode != 0:
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
