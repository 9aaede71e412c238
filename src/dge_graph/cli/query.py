"""``dge-graph query``: run SPARQL against the store."""

from __future__ import annotations

import sys
from pathlib import Path

from ..results import format_table
from ..store import SelectResult, open_store

FORMATS = {"csv": "text/csv", "json": "application/sparql-results+json"}


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
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(handler=handle)


def read_query(args) -> str:
    if args.file is None:
        return args.sparql
    if str(args.file) == "-":
        return sys.stdin.read()
    return args.file.read_text(encoding="utf-8")


def handle(args, settings) -> int:
    text = read_query(args)
    # read-only: a query never writes, and a read-only view works while a server holds the store open
    store = open_store(settings.store, read_only=True)
    try:
        if args.format == "table":
            result = store.query(text)
            if isinstance(result, SelectResult):
                print(format_table(result))
            elif isinstance(result, bool):
                print("true" if result else "false")
            else:
                sys.stdout.write(result.serialize(format="turtle"))
        else:
            serialized = store.query_serialized(text, select_media_type=FORMATS[args.format])
            sys.stdout.buffer.write(serialized.body)
            if not serialized.body.endswith(b"\n"):
                sys.stdout.buffer.write(b"\n")
            sys.stdout.flush()
    finally:
        store.close()
    return 0
