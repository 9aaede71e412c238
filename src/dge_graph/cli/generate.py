"""``dge-graph generate``: synthetic deployments over the real municipalities (for scale tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

from ..progress import Progress


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write synthetic deployments (reproducible by seed) as N-Triples/Turtle",
        description="Write K synthetic deployments for each of N municipalities (a seeded sample of the 342). The "
        "same arguments give the same file. Every deployment is marked dge:recordKind record-kind/synthetic. The "
        "output is N-Triples, which is also valid Turtle: name it .nt or .ttl. Import it with `dge-graph build` "
        "(under data/) or load it into a store of its own.",
    )
    parser.add_argument("--municipalities", type=int, default=342, metavar="N",
                        help="number of municipalities (1-342, default 342)")
    parser.add_argument("--per-municipality", type=int, default=10, metavar="K",
                        help="deployments per municipality (default 10)")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="output file (.nt or .ttl)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(handler=handle)


def handle(args, settings) -> int:
    from ..synthetic import generate
    from . import CommandError

    if not args.out.parent.is_dir():
        raise CommandError(f"{args.out.parent} is not a directory")
    progress = Progress(quiet=args.quiet)
    progress.step(f"generating {args.municipalities} x {args.per_municipality} deployments (seed {args.seed})")
    summary = generate(args.out, municipalities=args.municipalities, per_municipality=args.per_municipality,
                       seed=args.seed)
    print(f"{summary.path}: {summary.deployments} synthetic deployments in {summary.municipalities} municipalities, "
          f"{summary.triples} triples")
    return 0
