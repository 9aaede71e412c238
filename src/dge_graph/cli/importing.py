"""``dge-graph import intake|algoritmeregister|intake-schema``: bring deployments into the store."""

from __future__ import annotations

import json
from pathlib import Path

from dataclasses import replace

from ..importing import import_graph_iri, write_import
from ..store import open_store
from dge_graph.ingest.register_api import BACKOFF_S, PAGE_SIZE, REGISTER_API_URL, RETRIES, TIMEOUT_S


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
        help="the national algorithm register (algoritmes.overheid.nl): a JSON export, or live from its API",
        description="Import records of the national algorithm register: publication standard v1.0 JSON (a list "
        "of records or one record), the daily public scrape ({'algoritmes': [...]}), or, with --from-api, the "
        "register's public API page by page. Each record becomes one deployment; organisations are matched to the "
        "342 municipalities. A whole-register import (--from-api, the scrape) replaces the shipped snapshot "
        "data/register/algoritmeregister.ttl in the store. With --turtle, write facts-only Turtle instead of "
        "importing (how the shipped snapshot is made). See docs/algoritmeregister.md.",
    )
    register_cmd.add_argument("file", type=Path, metavar="FILE", nargs="?", help="the .json file")
    register_cmd.add_argument("--from-api", nargs="?", const=REGISTER_API_URL, default=None, metavar="URL",
                              help=f"read the register from its API instead of a file (default URL: "
                              f"{REGISTER_API_URL})")
    register_cmd.add_argument("--format", choices=("auto", "standard", "scrape"), default="auto",
                              help="record format of FILE (default: detect; the API gives the standard)")
    register_cmd.add_argument("--allow-unmatched", action="store_true",
                              help="import 'Gemeente ...' organisations that match no municipality as other public "
                              "bodies instead of refusing the file")
    register_cmd.add_argument("--replace-snapshot", action="store_true",
                              help="let a standard-format file replace the shipped register snapshot in the store "
                              "(whole-register imports always do)")
    register_cmd.add_argument("--turtle", type=Path, metavar="OUT",
                              help="write the records as facts-only Turtle to OUT (no store; no description texts)")
    register_cmd.add_argument("--snapshot-url", metavar="URL",
                              help="with --turtle: a permanent URL of the input (e.g. a GitHub blob at a commit)")
    register_cmd.add_argument("--licence", metavar="SPDX",
                              help="with --turtle: the input's licence as an SPDX id, e.g. CC0-1.0")
    register_cmd.add_argument("--page-size", type=int, default=PAGE_SIZE, metavar="N",
                              help=f"--from-api: records per page (default {PAGE_SIZE})")
    register_cmd.add_argument("--retries", type=int, default=RETRIES, metavar="N",
                              help=f"--from-api: retries per page on network errors, 429 and 5xx (default {RETRIES})")
    register_cmd.add_argument("--backoff", type=float, default=BACKOFF_S, metavar="SECONDS",
                              help=f"--from-api: first wait before a retry, doubled each time (default {BACKOFF_S})")
    register_cmd.add_argument("--timeout", type=float, default=TIMEOUT_S, metavar="SECONDS",
                              help=f"--from-api: timeout of one request (default {TIMEOUT_S})")
    add_store_option(register_cmd)
    register_cmd.set_defaults(handler=handle_algoritmeregister)


def _write_import(settings, graph_name, graph, source_file: str):
    """Write one import's graph to the store (atomic, idempotent: see ``importing.write_import``)."""
    store = open_store(settings.store)
    try:
        return write_import(store, graph_name, graph, source_file=source_file)
    finally:
        store.close()


def handle_intake(args, settings) -> int:
    from ..intake import read_intake

    batch = read_intake(args.file)
    linked = {str(o) for o in batch.graph.objects(None, _municipality_predicate())}
    result = _write_import(settings, import_graph_iri("intake", args.file.stem), batch.graph, args.file.name)
    state = "imported" if result.written else "unchanged (already imported)"
    print(f"{args.file}: {len(batch.deployments)} deployments, {len(linked)} municipalities, {state} "
          f"into graph <{result.graph}> of {settings.store}")
    return 0


def handle_intake_turtle(args, settings) -> int:
    from ..intake import read_intake, write_turtle

    written = write_turtle(read_intake(args.file), args.out)
    print(f"{args.file}: {len(written)} deployments written to {args.out}")
    return 0


def handle_intake_schema(args, settings) -> int:
    from ..intake import intake_schema

    print(json.dumps(intake_schema(), indent=2, ensure_ascii=False))
    return 0


def handle_algoritmeregister(args, settings) -> int:
    from ..algoritmeregister import (LICENCES, SHIPPED_SNAPSHOT_GRAPH, Snapshot, file_snapshot, read_register,
                                     register_batch, write_snapshot)
    from ..progress import Progress
    from . import CommandError

    if (args.file is None) == (args.from_api is None):
        raise CommandError("import algoritmeregister: give either FILE or --from-api [URL]")
    if args.turtle is None and (args.snapshot_url or args.licence):
        raise CommandError("--snapshot-url and --licence describe the input of --turtle; give --turtle OUT")
    if args.licence is not None and args.licence not in LICENCES:
        raise CommandError(f"--licence {args.licence!r}: not a known SPDX id (known: {', '.join(sorted(LICENCES))})")
    progress = Progress(quiet=args.quiet)
    if args.from_api is not None:
        from dge_graph.ingest.register_api import RetryPolicy, fetch_register

        pages = fetch_register(args.from_api, page_size=args.page_size, progress=progress,
                               policy=RetryPolicy(args.retries, args.backoff, args.timeout))
        batch = register_batch(pages.records, args.from_api, record_format="standard")
        label, graph_name = args.from_api, import_graph_iri("algoritmeregister", _api_graph_name(args.from_api))
        snapshot = Snapshot(args.from_api, None, pages.fetched_at, args.snapshot_url, args.licence)
    else:
        batch = read_register(args.file, record_format=args.format)
        label, graph_name = str(args.file), import_graph_iri("algoritmeregister", args.file.name)
        snapshot = None
    summary = batch.summary
    if summary.unmatched_municipal and not args.allow_unmatched:
        names = "; ".join(f"{name!r} (record {ref})" for name, ref in summary.unmatched_municipal[:20])
        raise CommandError(f"{label}: {len(summary.unmatched_municipal)} municipal organisation(s) match no "
                           f"municipality, nothing imported: {names} (use --allow-unmatched to import them as "
                           "other public bodies)")
    counts = (f"{summary.deployments} deployments, {summary.linked_deployments} linked to "
              f"{summary.linked_municipalities} municipalities, {summary.other_organisations} other organisations")
    if args.turtle is not None:
        if snapshot is None:
            snapshot = file_snapshot(args.file, origin=args.snapshot_url, licence=args.licence)
        snapshot = replace(snapshot, command=_snapshot_command(args, snapshot))
        write_snapshot(batch, snapshot, args.turtle)
        print(f"{label} ({batch.record_format} format): {counts}; facts-only Turtle written to {args.turtle}")
        return 0
    whole_register = args.from_api is not None or batch.record_format == "scrape" or args.replace_snapshot
    store = open_store(settings.store)
    try:
        if not whole_register:
            _refuse_overlap_with_snapshot(store, batch, label)
        result = write_import(store, graph_name, batch.graph, source_file=label,
                              replaces=[SHIPPED_SNAPSHOT_GRAPH] if whole_register else ())
    finally:
        store.close()
    state = "imported" if result.written else "unchanged (already imported)"
    print(f"{label} ({batch.record_format} format): {counts}; {state} into graph <{result.graph}>")
    if summary.unmatched_municipal:
        print(f"unmatched municipal organisations: {len(summary.unmatched_municipal)}: "
              + "; ".join(name for name, _ in summary.unmatched_municipal))
    return 0


def _api_graph_name(url: str) -> str:
    """The import graph of an API refresh is named after the API's host (one graph per register)."""
    from urllib.parse import urlsplit

    return "api-" + (urlsplit(url).netloc or url)


def _snapshot_command(args, snapshot) -> str:
    """The command that regenerates a snapshot file, independent of where input and output lie."""
    source = f"--from-api {args.from_api}" if args.from_api is not None else args.file.name
    parts = ["dge-graph import algoritmeregister", source]
    if args.format != "auto" and args.from_api is None:
        parts.append(f"--format {args.format}")
    if snapshot.origin:
        parts.append(f"--snapshot-url {snapshot.origin}")
    if snapshot.licence:
        parts.append(f"--licence {snapshot.licence}")
    parts.append("--turtle <this file>")
    return " ".join(parts)


_SNAPSHOT_DEPLOYMENTS = """
SELECT ?deployment WHERE { GRAPH ?snapshot { ?deployment a <https://w3id.org/dge-graph/def#Deployment> } }
"""


def _refuse_overlap_with_snapshot(store, batch, label: str) -> None:
    """A partial register file must not restate deployments of the shipped snapshot (they would count twice)."""
    from ..algoritmeregister import SHIPPED_SNAPSHOT, SHIPPED_SNAPSHOT_GRAPH
    from . import CommandError

    result = store.query(_SNAPSHOT_DEPLOYMENTS, substitutions={"snapshot": SHIPPED_SNAPSHOT_GRAPH})
    shipped = {str(row["deployment"]) for row in result.rows}
    overlap = sorted(lars for lars, iri in batch.deployments if str(iri) in shipped)
    if overlap:
        raise CommandError(f"{label}: {len(overlap)} record(s) are already in the shipped register snapshot "
                           f"({SHIPPED_SNAPSHOT}), nothing imported: lars {', '.join(overlap[:10])}"
                           f"{' …' if len(overlap) > 10 else ''} (use --replace-snapshot to let this file replace "
                           "the snapshot in the store, or import the whole register with --from-api)")


def _municipality_predicate():
    from ..namespaces import DGE

    return DGE.municipality
