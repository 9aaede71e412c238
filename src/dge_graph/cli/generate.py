"""``dge-graph generate``: synthetic deployments over the real municipalities (for scale tests and benchmarks)."""

from __future__ import annotations

import time
from pathlib import Path

from dge_graph.cli.errors import CommandError
from dge_graph.cli.options import add_update_token_option
from dge_graph.kernel.progress import Progress, byte_progress, peak_memory_mb


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write synthetic deployments (reproducible by seed) as N-Triples/Turtle",
        description="Write K synthetic deployments for each of N municipalities (a seeded sample of the 342). The "
        "same arguments give the same file. Every deployment is marked dge:recordKind record-kind/synthetic. The "
        "output is N-Triples, which is also valid Turtle: name it .nt or .ttl. With --store the deployments are also "
        "loaded into the store, replacing the named graph graph/synthetic/seed-S-NxK (streamed bulk load on the "
        "embedded store).",
    )
    parser.add_argument("--municipalities", type=int, default=342, metavar="N",
                        help="number of municipalities (1-342, default 342)")
    parser.add_argument("--per-municipality", type=int, default=10, metavar="K",
                        help="deployments per municipality (default 10)")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="output file (.nt or .ttl); required unless --store is given")
    add_store_option(parser)  # here --store is opt-in: without it nothing is loaded
    add_update_token_option(parser)
    parser.set_defaults(handler=handle)


def handle(args, settings) -> int:
    import tempfile

    from dge_graph.ingest.synthetic import generate

    if args.out is None and args.store is None:
        raise CommandError("give --out FILE, --store PATH, or both")
    if args.out is not None and not args.out.parent.is_dir():
        raise CommandError(f"{args.out.parent} is not a directory")
    progress = Progress(quiet=args.quiet)
    progress.step(f"generating {args.municipalities} x {args.per_municipality} deployments (seed {args.seed})")
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch) / "synthetic.nt"
        summary = generate(out, municipalities=args.municipalities, per_municipality=args.per_municipality,
                           seed=args.seed)
        where = str(summary.path) if args.out else "generated"
        print(f"{where}: {summary.deployments} synthetic deployments in {summary.municipalities} municipalities, "
              f"{summary.triples} triples")
        if args.store is not None:
            load_into_store(settings.store, out, args, progress, update_token=settings.update_token, summary=summary)
    return 0


def load_into_store(location: str, path: Path, args, progress: Progress, *, update_token: str | None = None,
                    summary=None) -> None:
    """Replace the run's named graph in the store with the generated file (streamed; a malformed file changes
    nothing), then add the graph's self-description (``summary``: the ``GenerationSummary`` of the file)."""
    import datetime as dt

    from rdflib import Graph

    from dge_graph.ingest.synthetic import synthetic_graph_provenance
    from dge_graph.kernel.namespaces import graph_iri
    from dge_graph.store import graph_to_ntriples, open_store

    graph = graph_iri(f"synthetic/seed-{args.seed}-{args.municipalities}x{args.per_municipality}")
    store = open_store(location, update_token=update_token)
    started = time.perf_counter()
    try:
        progress.step(f"loading into {store!r} as {graph}")
        # streamed, one parse: national sizes are millions of triples
        store.bulk_replace_graph(str(graph), path, progress=byte_progress(progress, "loading"))
        if summary is not None:
            described = synthetic_graph_provenance(
                graph, summary, seed=args.seed, municipalities=args.municipalities,
                per_municipality=args.per_municipality, when=dt.datetime.now(dt.timezone.utc))
            self_description = Graph()
            for triple in described:
                self_description.add(triple)
            body = graph_to_ntriples(self_description).decode("utf-8")
            store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}")
    finally:
        store.close()
    print(f"loaded into {location} as named graph {graph} in {time.perf_counter() - started:.1f} s "
          f"(peak memory {peak_memory_mb():,.0f} MB)")
