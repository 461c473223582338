"""Instructions one pipeline pass takes, counted by valgrind's cachegrind: a figure the machine's load does not move.

    python benchmarks/instructions.py [CORPUS_DIR]

Timings on a shared machine vary by 5-10% from one process to the next, more than most single changes save; the
instruction count of the same work is the same in every run. The pipeline (every output) runs under
`valgrind --tool=cachegrind` once with one pass over the corpus and once with three (hash seed fixed); half the
difference is one pass without imports and first-use costs. Needs valgrind (`apt-get install valgrind`); takes a few
minutes. Not part of `make bench`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run import default_corpus  # noqa: E402


def passes_child(corpus: Path, passes: int) -> None:
    from juesuan.pipeline import Options, convert
    from juesuan.pool import tune_collector

    files = sorted(corpus.glob("*.pdf"))
    out = Path(tempfile.mkdtemp(prefix="juesuan-instructions-"))
    try:
        tune_collector()
        for number in range(passes):
            for f in files:
                convert(f, out / str(number), Options())
    finally:
        shutil.rmtree(out, ignore_errors=True)


def instructions(corpus: Path, passes: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, __file__, str(corpus), "--passes", str(passes)]
    run = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if not found:
        sys.exit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus())
    parser.add_argument("--passes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.passes:
        passes_child(args.corpus, args.passes)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    one, three = instructions(args.corpus, 1), instructions(args.corpus, 3)
    print(f"corpus: {args.corpus} ({len(list(args.corpus.glob('*.pdf')))} PDFs)")
    print(f"instructions_one_pass_with_imports: {one}")
    print(f"instructions_per_pass_g: {(three - one) / 2 / 1e9:.3f}")


if __name__ == "__main__":
    main()
