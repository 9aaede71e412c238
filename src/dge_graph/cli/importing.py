"""``dge-graph import intake|algoritmeregister|algoritmekader|intake-schema``: bring sources into the graph."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from dge_graph.cli.errors import CommandError
from dge_graph.cli.options import add_update_token_option
from dge_graph.ingest.importing import import_graph_iri, write_import
from dge_graph.ingest.register_api import BACKOFF_S, PAGE_SIZE, REGISTER_API_URL, RETRIES, TIMEOUT_S
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
        description="Import a YAML or CSV intake file (keys: the fact and safeguard names of the ontology, dge:specName, "
        "plus id, title, municipality, ...; see docs/intake.md). Any bad row aborts the import, naming the row, "
        "the key and the reason; nothing of the file is imported.",
    )
    intake.add_argument("file", type=Path, metavar="FILE", help="the .yaml, .yml or .csv file")
    intake.add_argument("--replace", action="store_true",
                        help="let a deployment whose id is already in the store (from data/ or another import) "
                        "replace it; without it such a file is refused")
    add_store_option(intake)
    add_update_token_option(intake)
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
    add_update_token_option(register_cmd)
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


def revalidated_write(store, graph_name, graph, write, *, also_graphs=()):
    """``write()`` (an import that replaces ``graph_name`` with ``graph``), keeping a stored validation result true
    for the deployments it changes: those of the old and of the new content are re-evaluated alone and their
    findings, decisions and measures replaced (``rules.incremental``; nothing when no result is stored).
    Returns (the write's result, the re-validation's result or None)."""
    from dge_graph.kernel.namespaces import DGE, RDF
    from dge_graph.rules.incremental import Revalidator, graph_deployments

    affected = graph_deployments(store, graph_name) | set(graph.subjects(RDF.type, DGE.Deployment))
    for other in also_graphs:  # graphs the write drops
        affected |= graph_deployments(store, other)
    revalidator = Revalidator()
    pending = revalidator.before_write(store, affected)
    result = write()
    outcome = revalidator.after_write(store, pending) if pending is not None and result.written else None
    return result, outcome


def _say_revalidated(outcome) -> None:
    if outcome is not None:
        print(f"validation result updated for {outcome.deployments} deployment(s) in "
              f"{len(outcome.municipalities)} municipalit(y/ies) (findings {outcome.findings_before} -> "
              f"{outcome.findings_after}); no full re-validation needed")


def handle_intake(args, settings) -> int:
    from dge_graph.ingest.intake import read_intake

    batch = read_intake(args.file)
    linked = {str(o) for o in batch.graph.objects(None, _municipality_predicate())}
    graph_name = import_graph_iri("intake", args.file.stem)
    store = open_store(settings.store, update_token=settings.update_token)
    try:
        clashes = deployments_elsewhere(store, batch, graph_name)
        if clashes and not args.replace:
            raise CommandError(duplicate_ids_message(args.file, batch, clashes))
        remaining = graphs_without(store, clashes) if clashes else {}

        def write():
            written = write_import(store, graph_name, batch.graph, source_file=args.file.name)
            if remaining:  # after the import is in place: a failure here leaves both copies, never neither
                store.replace_graphs(remaining)
            return written

        result, outcome = revalidated_write(store, graph_name, batch.graph, write)
    finally:
        store.close()
    _say_revalidated(outcome)
    if clashes:
        print(f"replaced {len(clashes)} deployment(s) that were already in the store: "
              + ", ".join(f"{ident} (in <{graph}>)" for ident, graphs in clashes.items() for graph in graphs))
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
    from dge_graph.ingest.algoritmeregister import (
        LICENCES,
        SHIPPED_SNAPSHOT_GRAPH,
        Snapshot,
        file_snapshot,
        read_register,
        register_batch,
        write_snapshot,
    )
    from dge_graph.kernel.progress import Progress

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
    warn_left_out_links(summary, label)
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
    store = open_store(settings.store, update_token=settings.update_token)
    try:
        if not whole_register:
            _refuse_overlap_with_snapshot(store, batch, label)
        replaces = [SHIPPED_SNAPSHOT_GRAPH] if whole_register else []
        result, outcome = revalidated_write(
            store, graph_name, batch.graph,
            lambda: write_import(store, graph_name, batch.graph, source_file=label, replaces=replaces),
            also_graphs=replaces)
    finally:
        store.close()
    _say_revalidated(outcome)
    state = "imported" if result.written else "unchanged (already imported)"
    print(f"{label} ({batch.record_format} format): {counts}; {state} into graph <{result.graph}>")
    if summary.unmatched_municipal:
        print(f"unmatched municipal organisations: {len(summary.unmatched_municipal)}: "
              + "; ".join(name for name, _ in summary.unmatched_municipal))
    return 0


def warn_left_out_links(summary, label: str) -> None:
    """One ``warning:`` line on stderr per register link that is not an IRI and was left out of the graph."""
    import sys

    for left_out in summary.left_out_links:
        print(f"warning: {label}: {left_out}", file=sys.stderr)


_DEPLOYMENTS_IN_OTHER_GRAPHS = """
SELECT ?deployment ?graph WHERE {
  GRAPH ?graph { ?deployment a <https://w3id.org/dge-graph/def#Deployment> }
  FILTER (?graph != ?own)
} ORDER BY ?deployment ?graph
"""


def deployments_elsewhere(store, batch, own_graph) -> dict[str, list[str]]:
    """Intake id -> the named graphs (other than this file's own import graph) that already hold a deployment with
    that IRI. Importing it as it is would merge two descriptions into one resource (two titles, two
    municipalities), so ``import intake`` refuses it unless ``--replace``. Re-importing the same file is no clash."""
    from dge_graph.store import to_ox

    if not batch.deployments:
        return {}
    by_iri = {str(iri): ident for ident, iri in batch.deployments}
    values = " ".join(str(to_ox(iri)) for _, iri in batch.deployments)
    query = _DEPLOYMENTS_IN_OTHER_GRAPHS.replace("WHERE {", f"WHERE {{ VALUES ?deployment {{ {values} }}", 1)
    result = store.query(query, substitutions={"own": own_graph})
    clashes: dict[str, list[str]] = {}
    for row in result.rows:
        clashes.setdefault(by_iri[str(row["deployment"])], []).append(str(row["graph"]))
    return clashes


def duplicate_ids_message(path: Path, batch, clashes: dict[str, list[str]]) -> str:
    rows = dict(zip((ident for ident, _ in batch.deployments), batch.rows))
    shown = "\n  ".join(f"row {rows[ident]}, key 'id': {ident!r} is already a deployment in "
                        + ", ".join(f"<{g}>" for g in graphs) for ident, graphs in clashes.items())
    return (f"{path}: {len(clashes)} deployment id(s) already in the store, nothing imported (importing would merge "
            f"two descriptions into one deployment):\n  {shown}\n"
            "rename them, or pass --replace to replace the deployments in the store with these")


_GRAPH_WITHOUT = """
CONSTRUCT { ?s ?p ?o } WHERE {
  GRAPH ?graph { ?s ?p ?o }
  FILTER NOT EXISTS { VALUES ?gone { %s } GRAPH ?graph { ?gone <https://w3id.org/dge-graph/def#hasSafeguard>* ?s } }
  # an import graph's content hash no longer describes it: the next import of that file writes it again
  FILTER (!(?s = ?graph && ?p = <https://w3id.org/dge-graph/def#contentHash>))
}
"""


def graphs_without(store, clashes: dict[str, list[str]]) -> dict[str, bytes]:
    """The new content of each graph holding a replaced deployment: without the deployment and its safeguard
    instances (what ``--replace`` removes; organisations and everything else stay). A graph that ``build`` loads
    from data/ gets the deployment back at the next build: edit data/ for a lasting change."""
    from rdflib import URIRef

    from dge_graph.kernel.namespaces import id_iri
    from dge_graph.store import graph_to_ntriples, to_ox

    by_graph: dict[str, list[str]] = {}
    for ident, graphs in clashes.items():
        for graph in graphs:
            by_graph.setdefault(graph, []).append(str(to_ox(id_iri("deployment", ident))))
    return {graph: graph_to_ntriples(store.query(_GRAPH_WITHOUT % " ".join(gone),
                                                 substitutions={"graph": URIRef(graph)}))
            for graph, gone in by_graph.items()}


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
    from dge_graph.ingest.algoritmeregister import SHIPPED_SNAPSHOT, SHIPPED_SNAPSHOT_GRAPH

    result = store.query(_SNAPSHOT_DEPLOYMENTS, substitutions={"snapshot": SHIPPED_SNAPSHOT_GRAPH})
    shipped = {str(row["deployment"]) for row in result.rows}
    overlap = sorted(lars for lars, iri in batch.deployments if str(iri) in shipped)
    if overlap:
        raise CommandError(f"{label}: {len(overlap)} record(s) are already in the shipped register snapshot "
                           f"({SHIPPED_SNAPSHOT}), nothing imported: lars {', '.join(overlap[:10])}"
                           f"{' …' if len(overlap) > 10 else ''} (use --replace-snapshot to let this file replace "
                           "the snapshot in the store, or import the whole register with --from-api)")


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
