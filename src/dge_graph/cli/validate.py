"""``dge-graph validate``: run the safeguard rules (docs/rules.md) over the deployments in the store.

Exit codes: 0 every deployment conforms; 1 there are findings (Violations or Warnings); 2 error (bad date,
unknown municipality code, store missing or unreachable). The report is stored as the named graph
``graph/validation/latest`` (``graph/validation/municipality/<code>`` with ``--municipality``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys

from dge_graph.cli.errors import CommandError
from dge_graph.cli.options import add_update_token_option
from dge_graph.kernel.config import DEFAULT_HR_DATE
from dge_graph.kernel.terms import compact
from dge_graph.render.tables import text_table
from dge_graph.rules.validate import (
    ENGINES,
    Parameters,
    ValidationError,
    ValidationReport,
    check_municipality_code,
    municipality_code,
    store_report,
    validate_store,
)
from dge_graph.store import open_store

FINDING_COLUMNS = ("municipality", "deployment", "requirement", "severity", "appliesFrom", "legalSource",
                   "message_nl", "message_en", "deploymentIri", "requirementIri", "evidenceBasis", "recordedAbsent",
                   "notEvidenced")
"""CSV columns; recordedAbsent / notEvidenced list the missing safeguard types (or facts) separated by spaces."""


def parse_iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD that exists; ``ValueError`` saying which of the two it is not."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date that exists ({exc})") from None


def iso_date(text: str) -> dt.date:
    """An argparse type: a date written YYYY-MM-DD (``2026-02-30`` is refused: it does not exist)."""
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_date_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                        help="evaluation date: the day compliance is assessed (default: today)")
    parser.add_argument("--hr-date", type=iso_date, metavar="YYYY-MM-DD",
                        help="date the AI Act Annex III high-risk duties apply (default: $DGE_HR_DATE, else "
                        f"{DEFAULT_HR_DATE}: art. 113 as amended by Reg. (EU) 2026/1744; 2026-08-02, the text as first "
                        "published, never applied and is a what-if)")


def parameters_from(args, settings) -> Parameters:
    return Parameters(evaluation_date=args.date or dt.date.today(), hr_date=settings.hr_date)


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check every deployment against every safeguard rule (docs/rules.md) (exit 1 when something is missing)",
        description="Run the SHACL safeguard rules (shapes/) over the deployments in the store at an evaluation "
        "date, print a summary per municipality and per rule, and store the report as the named graph "
        "graph/validation/latest. Exit codes: 0 conforming, 1 findings, 2 error.",
    )
    add_store_option(parser)
    add_date_options(parser)
    parser.add_argument("--municipality", metavar="GM0000", help="only deployments in this municipality (CBS code)")
    parser.add_argument("--format", choices=("table", "csv", "json", "ttl"), default="table")
    parser.add_argument("--engine", choices=ENGINES, default=None,
                        help="table: shapes as NumPy predicates over the facts (default on the embedded store); "
                        "sparql: shapes compiled to SPARQL on the store (default on a remote store); "
                        "pyshacl: the reference SHACL engine (same findings, slower)")
    parser.add_argument("--no-save", action="store_true",
                        help="do not store the report (the store is then only read: this works beside a running "
                        "`dge-graph serve` on the same directory)")
    add_update_token_option(parser)
    parser.set_defaults(handler=handle)


def handle(args, settings) -> int:

    parameters = parameters_from(args, settings)
    store = open_store(settings.store, read_only=args.no_save, update_token=settings.update_token)
    try:
        if not store.named_graphs():  # embedded or remote: "conforms" about nothing would be a false all-clear
            raise CommandError(f"the store at {settings.store} is empty: run `dge-graph build` first")
        try:
            municipality = check_municipality_code(store, args.municipality) if args.municipality else None
            report = validate_store(store, parameters, engine=args.engine, municipality=municipality,
                                    decide=not args.no_save)
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
        saved = None if args.no_save else store_report(store, report)
    finally:
        store.close()
    write_report(report, args.format, sys.stdout)
    if saved is not None and args.format == "table" and not args.quiet:
        print(f"\nreport stored as graph <{saved}>", file=sys.stderr)
    return 0 if report.conforms else 1


def write_report(report: ValidationReport, fmt: str, out) -> None:
    if fmt == "json":
        json.dump(report_as_json(report), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FINDING_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for finding in report.findings:
            row = finding.as_dict()
            writer.writerow({k: " ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    elif fmt == "ttl":
        graph = report.to_graph()
        graph.bind("sh", "http://www.w3.org/ns/shacl#")
        graph.bind("dge", "https://w3id.org/dge-graph/def#")
        out.write(graph.serialize(format="turtle"))
    else:
        out.write(report_as_table(report))


def report_as_json(report: ValidationReport) -> dict:
    return {
        "evaluationDate": report.parameters.evaluation_date.isoformat(),
        "hrDate": report.parameters.hr_date.isoformat(),
        "engine": report.engine,
        "conforms": report.conforms,
        "deploymentsChecked": report.deployments_checked,
        "activeRules": list(report.active_rules),
        "byMunicipality": [
            {"municipality": municipality_code(m), "name": report.municipality_labels.get(m) if m else None,
             "violations": c["Violation"], "warnings": c["Warning"]}
            for m, c in report.by_municipality()
        ],
        "byRule": [{"requirement": r, "severity": s, "deployments": n} for r, s, n in report.by_rule()],
        "byEvidenceBasis": {"recordedAbsent": report.by_basis()["recordedAbsent"],
                            "notEvidenced": report.by_basis()["notEvidenced"]},
        "deploymentsWithUnknownFacts": sum(1 for facts in report.unknown_facts.values() if facts),
        "unknownFacts": {str(d): sorted(compact(f) for f in facts)
                         for d, facts in sorted(report.unknown_facts.items()) if facts},
        "findings": [f.as_dict() for f in report.findings],
    }


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    return text_table(headers, rows, separator="  ", rule_separator="  ", indent="  ")


def report_as_table(report: ValidationReport) -> str:
    p = report.parameters
    violations = sum(1 for f in report.findings if f.severity == "Violation")
    warnings = len(report.findings) - violations
    bases = report.by_basis()
    unknown = sum(1 for facts in report.unknown_facts.values() if facts)
    lines = [
        f"Safeguard check on {p.evaluation_date} (AI Act high-risk duties from {p.hr_date}; engine {report.engine})",
        f"{report.deployments_checked} deployments checked against {len(report.active_rules)} rules in force: "
        f"{violations} violations, {warnings} warnings",
        f"Evidence basis: {bases['recordedAbsent']} recorded absent (ontbreekt), {bases['notEvidenced']} not evidenced "
        f"(niet aangetoond: no source mentions a missing safeguard); {unknown} of {len(report.unknown_facts)} "
        "deployments have unknown decisive facts (read as false or none)",
    ]
    if report.conforms:
        lines.append("Every deployment has the safeguards the rules in force require.")
        return "\n".join(lines) + "\n"
    lines += ["", "Per municipality (open findings):"]
    lines += _table(
        ["code", "municipality", "violations", "warnings"],
        [[municipality_code(m) or "-", report.municipality_labels.get(m, "") if m else "(none)",
          str(c["Violation"]), str(c["Warning"])] for m, c in report.by_municipality()],
    )
    lines += ["", "Per rule (deployments missing the safeguard):"]
    lines += _table(["rule", "severity", "deployments"], [[r, s, str(n)] for r, s, n in report.by_rule()])
    lines += ["", "Findings:"]
    for f in report.findings:
        where = municipality_code(f.municipality) or "-"
        source = compact(f.legal_source) if f.legal_source else "-"
        basis = f"  {f.basis.name}" if f.basis is not None else ""
        lines.append(f"  {where}  {f.deployment_id or compact(f.deployment)}  {f.rule_id}  {f.severity}  "
                     f"since {f.applies_from}  {source}{basis}")
        lines.append(f"      {f.message_en}")
    return "\n".join(lines) + "\n"
