"""``dge-graph queries``: list, show and run the named queries of ``queries/`` (see ``docs/queries.md``)."""

from __future__ import annotations

import sys

from dge_graph.cli.errors import CommandError
from dge_graph.cli.query import FORMATS as QUERY_FORMATS
from dge_graph.cli.query import print_query_result
from dge_graph.query.named import NamedQueryError, find_named_query, load_named_queries, parse_argument_pairs
from dge_graph.query.validation_status import reads_validation, validation_status
from dge_graph.store import open_store

FORMATS = ("table",) + tuple(QUERY_FORMATS)


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "queries",
        help="list, show and run named queries",
        description="Named queries are the SPARQL files of queries/, each with a documented header "
        "(summary, typed parameters, examples). Parameters are checked and bound as typed RDF terms.",
    )
    commands = parser.add_subparsers(dest="queries_command", metavar="ACTION")
    parser.add_argument("--lang", choices=("en", "nl"), default="en", help="language of the summaries")
    parser.set_defaults(handler=handle_list)

    show = commands.add_parser("show", help="print a query's parameters, examples and SPARQL text")
    show.add_argument("name")
    show.set_defaults(handler=handle_show)

    run = commands.add_parser(
        "run",
        help="run a named query",
        description="Run a named query with NAME=VALUE arguments (or --example N for its N-th example).",
    )
    add_store_option(run)
    run.add_argument("name")
    run.add_argument("arguments", nargs="*", metavar="NAME=VALUE")
    run.add_argument("--example", type=int, metavar="N", help="use the N-th example's arguments (1 = first)")
    run.add_argument("--format", choices=FORMATS, default="table")
    run.set_defaults(handler=handle_run)


def handle_list(args, settings) -> int:
    for query in load_named_queries():
        summary = query.summary.get(args.lang) or query.summary["en"]
        print(f"{query.name:45} {summary}")
    return 0


def handle_show(args, settings) -> int:

    try:
        query = find_named_query(load_named_queries(), args.name)
    except NamedQueryError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{query.name}: {query.summary['en']}")
    for parameter in query.parameters:
        flags = ", optional" if parameter.optional else ""
        flags += f", default={parameter.default}" if parameter.default is not None else ""
        flags += f", values={'|'.join(parameter.allowed)}" if parameter.allowed else ""
        print(f"  {parameter.name} ({parameter.type}{flags}) — {parameter.description}")
    for number, example in enumerate(query.examples, start=1):
        print(f"  example {number}: " + " ".join(f"{k}={v}" for k, v in example.items()))
    print()
    print(query.sparql.rstrip())
    return 0


def handle_run(args, settings) -> int:

    try:
        query = find_named_query(load_named_queries(), args.name)
        arguments = parse_argument_pairs(args.arguments)
        if args.example is not None:
            if not 1 <= args.example <= len(query.examples):
                raise NamedQueryError(f"{query.name} has {len(query.examples)} example(s); --example {args.example}")
            arguments = {**query.examples[args.example - 1], **arguments}
        substitutions = query.bind(arguments)
    except NamedQueryError as exc:
        raise CommandError(str(exc)) from exc
    store = open_store(settings.store, read_only=True)
    try:
        status = validation_status(store) if reads_validation(query.sparql) else None
        print_query_result(store, query.sparql, args.format, substitutions)
    finally:
        store.close()
    if status is not None:  # which stored result the answer reads, on stderr (stdout stays the result)
        print(f"validation report: {status.header_value()}", file=sys.stderr)
        if not status.current:
            print(f"warning: {status.message('en')}", file=sys.stderr)
    return 0
