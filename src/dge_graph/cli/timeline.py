"""``dge-graph timeline``: the dates ahead on which rules start or stop applying, and who newly fails then.

Exit codes: 0 no deployment in scope newly fails on a date ahead; 1 some deployment that passes today fails on a
date ahead (under either reading of the AI Act high-risk date); 2 error (bad date, unknown municipality or
deployment, empty or unreachable store). Nothing is stored. See docs/timeline.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

from dge_graph.cli.errors import CommandError
from dge_graph.cli.validate import iso_date
from dge_graph.kernel.terms import compact
from dge_graph.query.timeline import Timeline, compliance_timeline
from dge_graph.rules.validate import ValidationError, check_municipality_code, deployment_index, municipality_code
from dge_graph.store import open_store

CSV_COLUMNS = ("reading", "hrDate", "date", "change", "kind", "subject", "municipality", "deployment", "requirement",
               "severity", "appliesFrom", "passesToday", "deploymentIri")


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "timeline",
        help="rules that start or stop applying on dates ahead, and the deployments that newly fail then",
        description="For the country, some municipalities (GM codes) or some deployments (--deployment): the "
        "dates after the evaluation date on which rules start to apply (each appliesFrom ahead, the AI Act "
        "high-risk date under both readings, the art. 111(2) long stop of 2030-08-02) or stop applying "
        "(appliesUntil), with the findings that appear or end on each, compared with the evaluation date. "
        "Exit codes: 0 nothing newly fails, 1 a deployment that passes today fails on a date ahead, 2 error.",
    )
    parser.add_argument("municipalities", nargs="*", metavar="GM0000", help="municipalities (CBS codes); none: all")
    parser.add_argument("--deployment", action="append", default=[], metavar="ID",
                        help="a deployment (its dct:identifier or IRI); may be repeated")
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                        help="evaluation date, 'today' (default: today)")
    parser.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="last date to look at (default: all)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_store_option(parser)
    parser.set_defaults(handler=handle)


def _deployment_iris(store, references: list[str]) -> list:
    if not references:
        return []
    index = deployment_index(store)
    by_identifier = {ident: iri for iri, ident in index.identifiers.items() if ident}
    found = []
    for reference in references:
        iri = by_identifier.get(reference) or next((d for d in index.identifiers if str(d) == reference), None)
        if iri is None:
            raise CommandError(f"--deployment {reference}: no deployment with this identifier or IRI in the store")
        found.append(iri)
    return found


def _municipality(store, code: str):
    try:
        return check_municipality_code(store, code)
    except ValidationError as exc:  # its message names the validate option; here the code is an argument
        raise CommandError(str(exc).removeprefix("--municipality ")) from exc


def handle(args, settings) -> int:
    evaluation_date = args.date or dt.date.today()
    store = open_store(settings.store)
    try:
        if not store.named_graphs():
            raise CommandError(f"the store at {settings.store} is empty: run `dge-graph build` first")
        try:
            municipalities = [_municipality(store, code) for code in args.municipalities]
            timeline = compliance_timeline(store, evaluation_date, until=args.until, municipalities=municipalities,
                                           deployments=_deployment_iris(store, args.deployment))
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        store.close()
    write_timeline(timeline, args.format, sys.stdout)
    return 1 if timeline.newly_failing else 0


def write_timeline(timeline: Timeline, fmt: str, out) -> None:
    if fmt == "json":
        json.dump(timeline.as_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for reading in timeline.readings:
            base = {"reading": reading.reading.name, "hrDate": reading.reading.hr_date.isoformat()}
            for event in reading.events:
                for boundary in event.boundaries:
                    writer.writerow({**base, "date": event.date.isoformat(), "change": "boundary",
                                     "kind": boundary.kind, "subject": boundary.subject})
                for change in event.changes:
                    row = change.as_dict()
                    row["passesToday"] = "true" if change.passes_today else "false"
                    writer.writerow({**base, "date": event.date.isoformat(), **row})
    else:
        out.write(timeline_as_table(timeline))


def _scope(timeline: Timeline) -> str:
    parts = [municipality_code(m) for m in timeline.municipalities] + [compact(d) for d in timeline.deployments]
    return ", ".join(parts) if parts else "all municipalities"


def timeline_as_table(timeline: Timeline) -> str:
    until = f" until {timeline.until}" if timeline.until else ""
    lines = [f"Compliance timeline after {timeline.evaluation_date}{until}: {_scope(timeline)} "
             f"({timeline.deployments_in_scope} deployments)"]
    for reading in timeline.readings:
        lines += ["", f"Reading '{reading.reading.name}': AI Act high-risk duties from {reading.reading.hr_date}. "
                  f"On {timeline.evaluation_date}: {reading.findings_today} findings, "
                  f"{reading.deployments_failing_today} deployments with a finding."]
        if not reading.events:
            lines.append("  no date ahead changes which rules apply")
        for event in reading.events:
            starts = [b.subject for b in event.boundaries if b.kind == "applies-from"]
            ends = [b.subject for b in event.boundaries if b.kind == "applies-until"]
            other = [b.label_en or b.subject for b in event.boundaries if b.kind in ("date-gate", "recorded-date")]
            what = ([f"starts: {', '.join(starts)}"] if starts else []) + \
                   ([f"ends: {', '.join(ends)}"] if ends else []) + other
            lines.append(f"  {event.date}  {'; '.join(what)}")
            new = [c for c in event.changes if c.change == "new"]
            ended = [c for c in event.changes if c.change == "ended"]
            lines.append(f"      {event.findings} findings; {len(new)} new, {len(ended)} ended; "
                         f"{len(event.newly_failing)} deployments newly failing (pass on {timeline.evaluation_date})")
            for change in event.changes:
                f = change.finding
                mark = "+" if change.change == "new" else "-"
                note = "  (passes today)" if change.passes_today else ""
                lines.append(f"      {mark} {municipality_code(f.municipality) or '-'}  "
                             f"{f.deployment_id or compact(f.deployment)}  {f.rule_id}  {f.severity}{note}")
    return "\n".join(lines) + "\n"
