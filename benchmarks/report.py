"""Render a results document (``benchmarks/results/*.json``) as the Markdown table of docs/benchmarks.md.

``python -m benchmarks.report [results.json] [--write-doc]`` re-renders without re-running. Medians are over the
runs of a stage; a query figure is the p50/p95 of its repeated calls. Ratios are baseline / ours (> 1: we are
faster) except the HTTP overhead, which is ours / raw Oxigraph (target <= 1.3).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .measure import PROJECT_ROOT, median
from .querysets import query_cases

REPORT_GRAPH = "graph/validation/latest"

BEGIN = "<!-- benchmark-table:begin -->"
END = "<!-- benchmark-table:end -->"

TARGETS = {
    "validate_s": 5.0,           # all rules, 100k deployments
    "query_p50_ms": 50.0,        # cross-municipality named queries, 100k deployments
    "build_s": 15.0,             # 2.5M triples
    "http_overhead": 1.3,        # our HTTP / raw oxigraph serve
}
TARGET_DEPLOYMENTS = 100_000
TARGET_TRIPLES = 2_500_000


def _num(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.{digits}f}"
    return f"{text}{unit}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def _runs_median(stage: dict | None, key: str) -> float | None:
    if not stage or "runs" not in stage:
        return None
    return median(run.get(key) for run in stage["runs"])


def _flat_median(values) -> float | None:
    if values is None:
        return None
    if isinstance(values, list):
        return median(values)
    return values


def _skip_note(stage: dict | None) -> str | None:
    if stage is None:
        return "not run"
    if "skipped" in stage:
        return f"skipped ({stage['skipped']})"
    if "error" in stage:
        return "failed (see JSON)"
    return None


def _verdict(value: float | None, target: float, applies: bool) -> str:
    if value is None or not applies:
        return ""
    return " ✅" if value <= target else " ❌"


def size_metrics(size: dict) -> dict:
    """The headline numbers of one size, as plain values (None when not measured)."""
    m: dict = {"deployments": size.get("deployments")}
    bulk, build = size.get("bulk_store"), size.get("build")
    m["triples"] = _runs_median(bulk, "triples") or _runs_median(build, "triples")
    m["build_s"] = _runs_median(build, "seconds")
    m["build_write_s"] = _runs_median(build, "write_seconds")
    m["build_rss"] = _runs_median(build, "peak_rss_mb")
    m["build_note"] = _skip_note(build)
    m["bulk_s"] = _runs_median(bulk, "seconds")
    m["bulk_rss"] = _runs_median(bulk, "peak_rss_mb")
    m["store_mb"] = _runs_median(bulk, "store_mb")
    validate = size.get("validate") or {}
    m["validate_s"] = _flat_median(validate.get("seconds"))
    m["validate_engine_s"] = validate.get("engine_seconds")
    m["validate_index_s"] = validate.get("index_seconds")
    m["validate_rss"] = validate.get("peak_rss_mb")
    m["validate_store_s"] = validate.get("store_report_seconds")
    m["validate_engine"] = validate.get("engine")
    m["sparql_engine_s"] = validate.get("sparql_engine_seconds")
    m["identical_to_sparql"] = validate.get("identical_to_sparql")
    m["findings"] = validate.get("findings")
    m["validate_note"] = _skip_note(size.get("validate"))
    pys = size.get("pyshacl") or {}
    m["pyshacl_note"] = _skip_note(size.get("pyshacl"))
    if "pyshacl_seconds" in pys:
        ours = median(pys["sparql_seconds_on_sample"])
        m["pyshacl_sample"] = pys["sample_deployments"]
        m["pyshacl_s"] = pys["pyshacl_seconds"]
        m["pyshacl_ratio"] = pys["pyshacl_seconds"] / ours if ours else None
        per_deployment = pys["pyshacl_seconds"] / max(1, pys["sample_deployments"])
        m["pyshacl_extrapolated_s"] = per_deployment * (m["deployments"] or 0)
        m["pyshacl_ratio_full"] = (m["pyshacl_extrapolated_s"] / m["validate_s"]) if m["validate_s"] else None
        m["identical"] = pys["identical_on_sample"] and pys["identical_to_full_store"]
    queries = (size.get("queries") or {}).get("cases", {})
    rdflib_cases = (size.get("rdflib") or {}).get("cases", {})
    http = size.get("http") or {}
    ours_http, raw_http = http.get("dge-graph") or {}, http.get("oxigraph") or {}
    rows = []
    report_cases = {case.label for case in query_cases() if REPORT_GRAPH in case.query.sparql}
    labels = list(queries) or list((ours_http.get("queries") or {}))
    for label in labels:
        q = queries.get(label, {})
        r = rdflib_cases.get(label, {})
        ours_q = (ours_http.get("queries") or {}).get(label, {})
        raw_q = (raw_http.get("queries") or {}).get(label, {})
        rows.append({
            "label": label, "cross": q.get("cross_municipality"), "rows": q.get("rows"),
            "reads_report": label in report_cases,
            "p50": q.get("p50_ms"), "p95": q.get("p95_ms"), "timeout": q.get("timeout_s"),
            "rdflib_p50": r.get("p50_ms"), "rdflib_timeout": r.get("timeout_s"), "rdflib_rows": r.get("rows"),
            "named_p50": (ours_q.get("named") or {}).get("p50_ms"),
            "sparql_p50": (ours_q.get("sparql") or {}).get("p50_ms"),
            "raw_p50": (raw_q.get("sparql") or {}).get("p50_ms"),
        })
    # Cases that read the validation report mean nothing where no report was stored (validation not run).
    reported = bool((size.get("validate") or {}).get("findings"))
    for r in rows:
        r["no_report"] = r["reads_report"] and not reported
    m["query_rows"] = rows
    m["no_report_cases"] = sum(1 for r in rows if r["no_report"])
    cross = [r for r in rows if r["cross"]]
    m["cross_p50_median"] = median(r["p50"] for r in cross)
    m["cross_p50_max"] = max((r["p50"] for r in cross if r["p50"] is not None), default=None)
    m["cross_timeouts"] = sum(1 for r in cross if r["timeout"])
    m["cross_within_target"] = sum(1 for r in cross if r["p50"] is not None and r["p50"] <= TARGETS["query_p50_ms"])
    m["cross_cases"] = len(cross)
    m["rdflib_note"] = _skip_note(size.get("rdflib"))
    m["rdflib_ratio"] = median(r["rdflib_p50"] / r["p50"] for r in rows if r["rdflib_p50"] and r["p50"])
    m["rdflib_timeouts"] = sum(1 for r in rows if r["rdflib_timeout"])
    m["rdflib_load_s"] = (size.get("rdflib") or {}).get("load_seconds")
    m["http_overhead"] = median(r["sparql_p50"] / r["raw_p50"] for r in rows if r["sparql_p50"] and r["raw_p50"])
    m["named_overhead"] = median(r["named_p50"] / r["raw_p50"] for r in rows if r["named_p50"] and r["raw_p50"])
    m["deref_rps"] = (ours_http.get("dereference") or {}).get("requests_per_s")
    m["deref_raw_rps"] = (raw_http.get("dereference") or {}).get("requests_per_s")
    m["deref_p95"] = (ours_http.get("dereference") or {}).get("p95_ms")
    m["deref_raw_p95"] = (raw_http.get("dereference") or {}).get("p95_ms")
    m["deref_errors"] = (ours_http.get("dereference") or {}).get("errors")
    m["deref_timeout"] = (ours_http.get("dereference") or {}).get("timeout_s")
    m["rss_rest"] = ours_http.get("rss_at_rest_mb")
    m["rss_load"] = ours_http.get("rss_after_load_mb")
    m["raw_rss_rest"] = raw_http.get("rss_at_rest_mb")
    m["http_note"] = "failed (see JSON)" if "error" in ours_http or "error" in raw_http else None
    return m


def render(data: dict) -> str:
    sizes = sorted(data["sizes"].values(), key=lambda s: s.get("per_municipality", 0))
    metrics = [size_metrics(s) for s in sizes]
    machine = data.get("machine", {})
    args = data.get("arguments", {})
    head = "| measure | target | " + " | ".join(
        f"{s.get('per_municipality')}/municipality ({_num(m['deployments'], 0)} deployments)"
        for s, m in zip(sizes, metrics)) + " |"
    lines = [
        f"Run {data.get('started')} on {machine.get('cpus')} CPUs (load average {_num(machine.get('load_at_start'))} "
        f"at start), commit {machine.get('commit')}, Python {machine.get('python')}, pyoxigraph "
        f"{machine.get('pyoxigraph')}, rdflib {machine.get('rdflib')}, pyshacl {machine.get('pyshacl')}; "
        f"{args.get('runs')} run(s) per stage, {args.get('repetitions')} calls per query case, "
        f"load tool {machine.get('load_tool')}.",
        "",
        head,
        "|" + "---|" * (len(sizes) + 2),
    ]

    def row(name: str, target: str, cell) -> None:
        lines.append(f"| {name} | {target} | " + " | ".join(cell(m) for m in metrics) + " |")

    big = lambda m: (m["deployments"] or 0) >= TARGET_DEPLOYMENTS * 0.95  # noqa: E731
    row("triples in the store", "", lambda m: _num(m["triples"], 0))
    built = [m for m in metrics if m["build_s"] and m["triples"]]
    largest_build = max(built, key=lambda m: m["triples"], default=None)

    def build_cell(m: dict) -> str:
        if m["build_s"] is not None:
            return _num(m["build_s"]) + _verdict(m["build_s"], TARGETS["build_s"], (m["triples"] or 0) >= TARGET_TRIPLES)
        if largest_build is not None and m["triples"]:
            estimate = largest_build["build_s"] / largest_build["triples"] * m["triples"]
            return (f"not run; ≈ {_num(estimate, 0)} extrapolated linearly from {_num(largest_build['triples'], 0)} "
                    f"triples" + _verdict(estimate, TARGETS["build_s"], (m["triples"] or 0) >= TARGET_TRIPLES))
        return m["build_note"] or "–"

    row("build, project (`build.build`, atomic), s", "≤ 15 s at 2.5M triples", build_cell)
    row("… of which writing (staging + MOVE), s", "", lambda m: m["build_note"] or _num(m["build_write_s"]))
    row("build, peak memory, MB", "", lambda m: m["build_note"] or _num(m["build_rss"], 0))
    row("build, same graphs bulk-loaded into a fresh store, s", "≤ 15 s at 2.5M triples",
        lambda m: _num(m["bulk_s"]) + _verdict(m["bulk_s"], TARGETS["build_s"], (m["triples"] or 0) >= TARGET_TRIPLES))
    row("… peak memory, MB / store on disk, MB", "", lambda m: f"{_num(m['bulk_rss'], 0)} / {_num(m['store_mb'], 0)}")
    measured = [m for m in metrics if m["validate_s"] and m["deployments"]]
    largest = max(measured, key=lambda m: m["deployments"], default=None)

    def validate_cell(m: dict) -> str:
        if m["validate_s"] is not None:
            return _num(m["validate_s"], 2) + _verdict(m["validate_s"], TARGETS["validate_s"], big(m))
        if largest is not None and m["deployments"]:
            estimate = largest["validate_s"] / largest["deployments"] * m["deployments"]
            return (f"not run; ≈ {_num(estimate, 0)} extrapolated linearly from {_num(largest['deployments'], 0)} "
                    f"deployments" + _verdict(estimate, TARGETS["validate_s"], big(m)))
        return m["validate_note"] or "–"

    row("validate all rules, report stored, end to end, s (engine)", "≤ 5 s at 100k deployments",
        lambda m: validate_cell(m) + (f" ({m['validate_engine']})" if m.get("validate_engine") else ""))
    row("… of which rules, decisions and findings / deployment index / storing result and measures, s", "",
        lambda m: m["validate_note"] or f"{_num(m['validate_engine_s'], 2)} / {_num(m['validate_index_s'], 2)} / "
        f"{_num(m.get('validate_store_s'), 2)}")
    row("… peak memory, MB", "≤ 4 GB at 100k deployments", lambda m: m["validate_note"] or _num(m["validate_rss"], 0))
    row("compiled-SPARQL engine on the same store (baseline), s; same findings", "(baseline)",
        lambda m: m["validate_note"] or (f"{_num(m.get('sparql_engine_s'), 2)}; "
                                         + ("yes ✅" if m.get("identical_to_sparql") else "NO ❌")
                                         if m.get("sparql_engine_s") is not None else "not run"))
    row("findings (deployment × rule)", "", lambda m: _num(m["findings"], 0))
    row("pyshacl on a sample: deployments, s", "(reference)",
        lambda m: m["pyshacl_note"] or f"{m.get('pyshacl_sample')}, {_num(m.get('pyshacl_s'))}")
    row("pyshacl / ours, same sample graph", "", lambda m: m["pyshacl_note"] or _ratio(m.get("pyshacl_ratio")))
    row("pyshacl extrapolated to all deployments, s (/ ours)", "",
        lambda m: m["pyshacl_note"] or f"{_num(m.get('pyshacl_extrapolated_s'), 0)} "
        f"({_ratio(m.get('pyshacl_ratio_full'))})")
    row("findings identical to pyshacl (sample)", "identical",
        lambda m: m["pyshacl_note"] or ("yes ✅" if m.get("identical") else "NO ❌"))
    row("cross-municipality named queries: p50 median / worst, ms", "p50 ≤ 50 ms at 100k",
        lambda m: f"{_num(m['cross_p50_median'])} / {_num(m['cross_p50_max'])}"
        + _verdict(m["cross_p50_max"], TARGETS["query_p50_ms"], big(m)))
    row("… cases within 50 ms / cases (timeouts)", "",
        lambda m: f"{m['cross_within_target']} / {m['cross_cases']} ({m['cross_timeouts']})"
        + (f"; {m['no_report_cases']} cases read an empty report: lower bounds" if m["no_report_cases"] else ""))
    row("rdflib SPARQL / ours, median over cases (rdflib timeouts)", "(baseline)",
        lambda m: m["rdflib_note"] or f"{_ratio(m['rdflib_ratio'])} ({m['rdflib_timeouts']})")
    row("HTTP `/sparql` / raw `oxigraph serve`, median of p50 ratios", "≤ 1.3×",
        lambda m: m["http_note"] or _ratio(m["http_overhead"]) + _verdict(m["http_overhead"],
                                                                          TARGETS["http_overhead"], True))
    row("HTTP named-query endpoint / raw, median of p50 ratios", "", lambda m: m["http_note"] or _ratio(m["named_overhead"]))
    row("dereference `/id/deployment/…` (Turtle), req/s (p95 ms)", "",
        lambda m: m["http_note"] or (f"0 (one request > {m['deref_timeout']:.0f} s)" if m["deref_timeout"]
                                     else f"{_num(m['deref_rps'], 0)} ({_num(m['deref_p95'])})"))
    row("raw `oxigraph serve` DESCRIBE, req/s (p95 ms)", "(baseline)",
        lambda m: m["http_note"] or f"{_num(m['deref_raw_rps'], 0)} ({_num(m['deref_raw_p95'])})")
    row("server memory at rest / after load, MB (raw oxigraph at rest)", "",
        lambda m: m["http_note"] or f"{_num(m['rss_rest'], 0)} / {_num(m['rss_load'], 0)} ({_num(m['raw_rss_rest'], 0)})")

    for s, m in zip(sizes, metrics):
        lines += ["", f"#### Named queries at {s.get('per_municipality')} per municipality "
                  f"({_num(m['deployments'], 0)} deployments): p50 / p95 ms", "",
                  "| case | rows | store p50 / p95 | rdflib p50 (×) | HTTP named p50 | HTTP `/sparql` p50 | raw oxigraph p50 |",
                  "|---|---|---|---|---|---|---|"]
        for r in m["query_rows"]:
            if r["timeout"]:
                store = f"> {r['timeout']:.0f} s"
            elif r["p50"] is None:
                store = "failed (see JSON)"
            else:
                store = f"{_num(r['p50'])} / {_num(r['p95'])}"
            if r["rdflib_timeout"]:
                rdf = f"> {r['rdflib_timeout']:.0f} s"
            elif r["rdflib_p50"] is not None:
                rdf = f"{_num(r['rdflib_p50'])} ({_ratio(r['rdflib_p50'] / r['p50'] if r['p50'] else None)})"
                if r["rdflib_rows"] != r["rows"]:
                    rdf += f" ⚠ {r['rdflib_rows']} rows"
            else:
                rdf = "–"
            mark = (" ★" if r["cross"] else "") + (" (empty report: lower bound)" if r["no_report"] else "")
            lines.append(f"| {r['label']}{mark} | {r['rows'] if r['rows'] is not None else '–'} | {store} | {rdf} | "
                         f"{_num(r['named_p50'])} | {_num(r['sparql_p50'])} | {_num(r['raw_p50'])} |")
    lines += ["", "★ cross-municipality (reads deployments or findings); ✅/❌ a target checked at its size; "
              "× = baseline time / ours."]
    return "\n".join(lines)


def merge(documents: list[dict]) -> dict:
    """One document from several runs (e.g. the large size run separately): sizes merged stage by stage."""
    merged = {**documents[0], "sizes": {}}
    for document in documents:
        for key, size in document["sizes"].items():
            target = merged["sizes"].setdefault(key, {})
            for stage, value in size.items():
                if stage == "http" and isinstance(target.get("http"), dict):
                    target["http"] = {**target["http"], **value}  # one server per run is fine
                else:
                    target[stage] = value
    if len(documents) > 1:
        merged["started"] = " + ".join(d["started"] for d in documents)
    return merged


def update_document(doc: Path, table: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise ValueError(f"{doc}: no {BEGIN} … {END} markers to put the table between")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    doc.write_text(f"{before}{BEGIN}\n{table}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report")
    parser.add_argument("results", nargs="*", type=Path, default=[PROJECT_ROOT / "benchmarks/results/latest.json"],
                        help="results documents; several are merged stage by stage (later ones win)")
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--doc", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    table = render(merge([json.loads(path.read_text(encoding="utf-8")) for path in args.results]))
    print(table)
    if args.write_doc:
        update_document(args.doc, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
