"""``dge-graph query``: run SPARQL against the store."""

from __future__ import annotations

import sys
from pathlib import Path
from types import MappingProxyType

from dge_graph.kernel.media_types import SHORT_NAMES
from dge_graph.render.tables import format_table
from dge_graph.store import SelectResult, Store, open_store

FORMATS = MappingProxyType({name: SHORT_NAMES[name] for name in ("csv", "json", "tsv")})
"""``--format`` values: SPARQL 1.1 result formats of the media-type registry."""


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a SPARQL query (SELECT/ASK/CONSTRUCT/DESCRIBE)",
        description="Run a SPARQL 1.1 query over the store; the default graph is the union of all named graphs. "
        "csv and json are the SPARQL 1.1 CSV and JSON results formats; CONSTRUCT/DESCRIBE print Turtle.",
    )
    add_store_option(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("sparql", nargs="?", help="the query text")
    source.add_argument("--file", "-f", type=Path, help="read the query from this file ('-' for stdin)")
    parser.add_argument("--format", choices=("table", *FORMATS), default="table")
    parser.set_defaults(handler=handle)


def read_query(args) -> str:
    if args.file is None:
        return args.sparql
    if str(args.file) == "-":
        return sys.stdin.read()
    return args.file.read_text(encoding="utf-8")


def handle(args, settings) -> int:
    # read-only: the store must exist (a query never creates one)
    store = open_store(settings.store, read_only=True)
    try:
        print_query_result(store, read_query(args), args.format)
    finally:
        store.close()
    return 0


def print_query_result(store: Store, sparql: str, output_format: str, substitutions=None) -> None:
    """Print a query's result: a text table (SELECT), true/false (ASK), Turtle (CONSTRUCT/DESCRIBE), or the
    SPARQL 1.1 results format named by ``output_format`` (csv, tsv, json) as the store serialises it."""
    if output_format == "table":
        result = store.query(sparql, substitutions=substitutions)
        if isinstance(result, SelectResult):
            print(format_table(result))
        elif isinstance(result, bool):
            print("true" if result else "false")
        else:
            sys.stdout.write(result.serialize(format="turtle"))
        return
    serialized = store.query_serialized(sparql, select_media_type=FORMATS[output_format],
                                        substitutions=substitutions)
    sys.stdout.buffer.write(serialized.body)
    if not serialized.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
