"""``dge-graph build``: load ontology/ and data/ into the store."""

from __future__ import annotations

from dge_graph.cli.options import add_update_token_option
from dge_graph.ingest.build import build
from dge_graph.kernel.progress import Progress
from dge_graph.store import open_store


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "build",
        help="load ontology/ and data/ into the store (atomic: a bad file changes nothing)",
        description="Parse every Turtle file of ontology/ and data/ and replace their named graphs in the store. "
        "A file that does not parse aborts the build, naming file and line; the store keeps its content.",
    )
    add_store_option(parser)
    add_update_token_option(parser)
    parser.set_defaults(handler=handle)


def handle(args, settings) -> int:
    store = open_store(settings.store, update_token=settings.update_token)
    try:
        report = build(store, progress=Progress(quiet=args.quiet))
    finally:
        store.close()
    print(f"{len(report.graphs)} graphs, {report.triples} triples in {settings.store}")
    return 0
