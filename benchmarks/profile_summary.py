"""``python -m benchmarks.profile_summary FILE [--top 15] [--under FUNCTION]``: where a profiled stage spent its time.

Reads the collapsed stacks ``py-spy record --format raw`` writes (``benchmarks.run --py-spy-dir``) and prints the
functions with the largest inclusive share of the samples (a function counted once per sample however deep it
recurs) and the largest self share. ``--under`` keeps only the samples whose stack passes through a function whose
name contains the text (e.g. ``build_profile``).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    """Each line ``frame;frame;… count``, outermost frame first."""
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def summarise(stacks: list[tuple[list[str], int]], top: int, under: str | None = None) -> str:
    if under:
        stacks = [(frames, n) for frames, n in stacks if any(under in frame for frame in frames)]
    total = sum(n for _, n in stacks)
    if not total:
        return "no samples" + (f" under {under!r}" if under else "")
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, n in stacks:
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples" + (f" under {under!r}" if under else ""), "", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f} %  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f} %  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_summary", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--under", help="only samples whose stack passes through a frame containing this text")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    print(summarise(read_stacks(args.file), args.top, args.under))
    return 0


if __name__ == "__main__":
    sys.exit(main())
