"""``dge-graph import intake|algoritmeregister|algoritmekader|intake-schema``: bring sources into the graph."""

from __future__ import annotations

import json
from pathlib import Path

from dge_graph.cli.errors import CommandError
from dge_graph.ingest.importing import import_graph_iri, write_import
from dge_graph.store import open_store


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import deployments (intake YAML/CSV, algorithm-register JSON) into the store",
        description="Each imported file becomes its own named graph (graph/import/<kind>/<file>); importing the "
        "same file again replaces that graph, so imports are idempotent. A bad file changes nothing.",
    )
    commands = parser.add_subparsers(dest="import_command", metavar="SOURCE", required=True)

    intake = commands.add_parser(
        "intake",
        help="a YAML or CSV intake file (docs/intake.md)",
        description="Import a YAML or CSV intake file (keys: the fact and safeguard names of safeguard-rules.md "
        "§2 plus id, title, municipality, ...; see docs/intake.md). Any bad row aborts the import, naming the row, "
        "the key and the reason; nothing of the file is imported.",
    )
    intake.add_argument("file", type=Path, metavar="FILE", help="the .yaml, .yml or .csv file")
    add_store_option(intake)
    intake.set_defaults(handler=handle_intake)

    turtle = commands.add_parser(
        "intake-turtle",
        help="convert an intake file to Turtle, one file per deployment (no store)",
        description="Check an intake file and write each deployment as <id>.ttl into a folder, e.g. data/deployments "
        "(the build loads data/**/*.ttl). The intake file stays the source; the Turtle says where it came from.",
    )
    turtle.add_argument("file", type=Path, metavar="FILE", help="the .yaml, .yml or .csv file")
    turtle.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the .ttl files")
    turtle.set_defaults(handler=handle_intake_turtle)

    schema = commands.add_parser("intake-schema", help="print the JSON Schema of the intake format")
    schema.set_defaults(handler=handle_intake_schema)

    register_cmd = commands.add_parser(
        "algoritmeregister",
        help="a JSON export of the national algorithm register (algoritmes.overheid.nl)",
        description="Import records of the national algorithm register: publication standard v1.0 JSON (a list "
        "of records or one record) or the daily public scrape ({'algoritmes': [...]}). Each record becomes one "
        "deployment; organisations are matched to the 342 municipalities. See docs/algoritmeregister.md.",
    )
    register_cmd.add_argument("file", type=Path, metavar="FILE", help="the .json file")
    register_cmd.add_argument("--format", choices=("auto", "standard", "scrape"), default="auto",
                              help="record format (default: detect)")
    register_cmd.add_argument("--allow-unmatched", action="store_true",
                              help="import 'Gemeente ...' organisations that match no municipality as other public "
                              "bodies instead of refusing the file")
    add_store_option(register_cmd)
    register_cmd.set_defaults(handler=handle_algoritmeregister)

    kader = commands.add_parser(
        "algoritmekader",
        help="the Algoritmekader's requirements and measures (a task-registry folder) as Turtle (no store)",
        description="Read a snapshot of the Algoritmekader task registry (MinBZK/task-registry: requirements/*.yaml, "
        "measures/*.yaml) and write its identifiers, titles, pages, lifecycle phases and measure-requirement links "
        "as Turtle (data/algoritmekader.ttl; the build loads it). The output is deterministic and cites the "
        "repository, commit, date and licence given here. See docs/algoritmekader.md.",
    )
    kader.add_argument("directory", type=Path, metavar="DIR", help="the snapshot folder")
    kader.add_argument("--turtle", type=Path, metavar="FILE", help="write here (default: standard output)")
    kader.add_argument("--repository", required=True, metavar="OWNER/NAME",
                       help="the GitHub repository of the snapshot, e.g. MinBZK/task-registry")
    kader.add_argument("--commit", required=True, metavar="SHA", help="the snapshot's commit (40 hex digits)")
    kader.add_argument("--date", required=True, type=_iso_date, metavar="YYYY-MM-DD", help="the commit's date")
    kader.add_argument("--licence", metavar="SPDX",
                       help="SPDX licence id (default: read from the folder's LICENSE.<id>.txt)")
    kader.set_defaults(handler=handle_algoritmekader)


def _write_import(settings, graph_name, graph, source_file: str):
    """Write one import's graph to the store (atomic, idempotent: see ``importing.write_import``)."""
    store = open_store(settings.store)
    try:
        return write_import(store, graph_name, graph, source_file=source_file)
    finally:
        store.close()


def handle_intake(args, settings) -> int:
    from dge_graph.ingest.intake import read_intake

    batch = read_intake(args.file)
    linked = {str(o) for o in batch.graph.objects(None, _municipality_predicate())}
    result = _write_import(settings, import_graph_iri("intake", args.file.stem), batch.graph, args.file.name)
    state = "imported" if result.written else "unchanged (already imported)"
    print(f"{args.file}: {len(batch.deployments)} deployments, {len(linked)} municipalities, {state} "
          f"into graph <{result.graph}> of {settings.store}")
    return 0


def handle_intake_turtle(args, settings) -> int:
    from dge_graph.ingest.intake import read_intake, write_turtle

    written = write_turtle(read_intake(args.file), args.out)
    print(f"{args.file}: {len(written)} deployments written to {args.out}")
    return 0


def handle_intake_schema(args, settings) -> int:
    from dge_graph.ingest.intake import intake_schema

    print(json.dumps(intake_schema(), indent=2, ensure_ascii=False))
    return 0


def handle_algoritmeregister(args, settings) -> int:
    from dge_graph.ingest.algoritmeregister import read_register

    batch = read_register(args.file, record_format=args.format)
    summary = batch.summary
    if summary.unmatched_municipal and not args.allow_unmatched:
        names = "; ".join(f"{name!r} (record {ref})" for name, ref in summary.unmatched_municipal[:20])
        raise CommandError(f"{args.file}: {len(summary.unmatched_municipal)} municipal organisation(s) match no "
                           f"municipality, nothing imported: {names} (use --allow-unmatched to import them as "
                           "other public bodies)")
    result = _write_import(settings, import_graph_iri("algoritmeregister", args.file.name), batch.graph,
                           args.file.name)
    state = "imported" if result.written else "unchanged (already imported)"
    print(f"{args.file} ({batch.record_format} format): {summary.deployments} deployments, "
          f"{summary.linked_deployments} linked to {summary.linked_municipalities} municipalities, "
          f"{summary.other_organisations} other organisations; {state} into graph <{result.graph}>")
    if summary.unmatched_municipal:
        print(f"unmatched municipal organisations: {len(summary.unmatched_municipal)}: "
              + "; ".join(name for name, _ in summary.unmatched_municipal))
    return 0


def _municipality_predicate():
    from dge_graph.kernel.namespaces import DGE

    return DGE.municipality


def _iso_date(text: str):
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def handle_algoritmekader(args, settings) -> int:
    from dge_graph.ingest.algoritmekader import (
        Provenance,
        algoritmekader_turtle,
        detect_licence,
        read_algoritmekader,
        write_algoritmekader,
    )

    licence = args.licence or (detect_licence(args.directory) if args.directory.is_dir() else None)
    if licence is None:
        raise CommandError(f"{args.directory}: no single LICENSE.<spdx-id> file found; give --licence")
    provenance = Provenance(args.repository, args.commit, args.date, licence)
    if args.turtle is None:
        print(algoritmekader_turtle(read_algoritmekader(args.directory), provenance), end="")
        return 0
    written = write_algoritmekader(args.directory, args.turtle, provenance)
    kader = written.kader
    state = "written" if written.changed else "unchanged"
    print(f"{args.directory}: {len(kader.requirements)} requirements, {len(kader.measures)} measures, "
          f"{len(kader.serves)} links; {args.turtle} {state}")
    for note in kader.corrections:
        print(f"corrected: {note}")
    for note in kader.dangling:
        print(f"left out: {note}")
    return 0
