"""Render a results document (``benchmarks/results/*.json``) as the Markdown tables of docs/benchmarks.md.

``python -m benchmarks.report [results.json] [--write-doc]`` re-renders without re-running. First the table of
issue 12's targets (one row per target, every size a column, each figure beside its baseline from the same run and
their ratio; ✅/❌ at the judged size, 102,600 deployments), then the details and the named queries per size.
Medians are over the runs of a stage; a query figure is the p50/p95 of its repeated calls. Ratios are baseline /
ours (> 1: we are faster) except the HTTP overhead, which is ours / raw Oxigraph (target <= 1.3).
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

JUDGED_DEPLOYMENTS = 102_600
"""Issue 12 judges its targets at 342 x 300 deployments (4.1M triples): the ✅/❌ of the first table."""
ISSUE_TARGETS = {
    "validate_s": 5.0, "validate_peak_mb": 4096.0,  # all rules, result stored, end to end
    "incremental_ms": 20.0,                         # re-validate after importing one deployment
    "query_p50_ms": 50.0,                           # every named query that reads deployments or findings
    "page_p50_ms": 50.0,                            # /municipalities/{code}, /compare; HTML and JSON
    "load_s": 20.0,                                 # 4.1M triples into a fresh store
    "deref_turtle_ms": 5.0, "deref_html_ms": 10.0,  # a deployment's page, p50
}


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
    runs = validate.get("seconds") if isinstance(validate.get("seconds"), list) else None
    m["validate_cold_s"] = runs[0] if runs else m["validate_s"]  # the first run: nothing saved by an earlier one
    m["validate_warm_s"] = median(runs[1:]) if runs and len(runs) > 1 else None
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
            "pyox_p50": (q.get("raw") or {}).get("p50_ms"), "skipped": q.get("skipped"), "measured": bool(q),
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
    m.update(_issue_metrics(size, validate, queries, ours_http, raw_http))
    return m


def _p50(entry: dict | None) -> float | None:
    return (entry or {}).get("p50_ms")


def _issue_metrics(size: dict, validate: dict, queries: dict, ours_http: dict, raw_http: dict) -> dict:
    """The figures of issue 12's six rows (None where a stage did not run)."""
    m: dict = {}
    bulk, raw_load = size.get("bulk_store"), size.get("raw_load")
    m["load_s"] = _runs_median(bulk, "load_seconds")
    m["load_rss"] = _runs_median(bulk, "load_peak_rss_mb")
    m["load_triples"] = _runs_median(bulk, "load_triples")
    m["raw_load_s"] = _runs_median(raw_load, "seconds")
    m["raw_load_rss"] = _runs_median(raw_load, "load_peak_rss_mb")
    m["raw_load_note"] = _skip_note(raw_load)
    m["validate_peak_mb"] = validate.get("validate_peak_rss_mb", validate.get("peak_rss_mb"))
    incremental = size.get("incremental")
    m["incremental_note"] = _skip_note(incremental)
    m["incremental_ms"] = (incremental or {}).get("p50_ms")
    m["incremental_runs"] = (incremental or {}).get("runs")
    cross = [(label, q) for label, q in queries.items() if q.get("cross_municipality")]
    m["reading_cases"] = len(cross)
    measured = [(label, q) for label, q in cross if q.get("p50_ms") is not None]
    m["reading_unmeasured"] = len(cross) - len(measured)
    worst = max(measured, key=lambda item: item[1]["p50_ms"], default=None)
    m["reading_worst"] = (worst[0], worst[1]["p50_ms"], _p50(worst[1].get("raw"))) if worst else None
    m["reading_p50_median"] = median(q["p50_ms"] for _, q in measured)
    m["reading_raw_median"] = median(_p50(q.get("raw")) for _, q in measured)
    m["reading_raw_ratio"] = median(_p50(q.get("raw")) / q["p50_ms"] for _, q in measured
                                    if _p50(q.get("raw")) and q["p50_ms"])
    m["reading_within"] = sum(1 for _, q in measured if q["p50_ms"] <= ISSUE_TARGETS["query_p50_ms"])
    pages = (size.get("pages") or {}).get("pages", {})
    http_pages = ours_http.get("pages") or {}
    m["pages_note"] = _skip_note(size.get("pages"))
    m["pages"] = {name: {fmt: _p50(http_pages.get(f"{name} {fmt}")) for fmt in ("HTML", "JSON")}
                  for name in ("profile", "compare")}
    m["pages_first"] = {f"{name} {fmt}": (http_pages.get(f"{name} {fmt}") or {}).get("first_ms")
                        for name in ("profile", "compare") for fmt in ("HTML", "JSON")}
    m["pages_inprocess"] = {name: _p50(pages.get(name)) for name in ("profile", "compare")}
    m["pages_raw"] = {name: _p50((pages.get(name) or {}).get("raw")) for name in ("profile", "compare")}
    m["pages_queries"] = {name: (pages.get(name) or {}).get("queries") for name in ("profile", "compare")}
    deref, raw_deref = ours_http.get("dereference_latency") or {}, raw_http.get("dereference_latency") or {}
    m["deref_turtle_ms"] = _p50(deref.get("Turtle"))
    m["deref_html_ms"] = _p50(deref.get("HTML"))
    m["deref_raw_ms"] = _p50(raw_deref.get("Turtle"))
    return m


def _x(baseline: float | None, ours: float | None) -> str:
    """The ratio baseline / ours, written as such (above 1: ours is faster)."""
    return _ratio(baseline / ours) if baseline and ours else "–"


def _gb(mb: float | None) -> str:
    return "–" if mb is None else f"{mb / 1024:.2f} GB"


def _judged(m: dict) -> bool:
    return (m["deployments"] or 0) >= JUDGED_DEPLOYMENTS * 0.95


def _mark(ok: bool | None, m: dict) -> str:
    if ok is None or not _judged(m):
        return ""
    return " ✅" if ok else " ❌"


def _within(value: float | None, target: float) -> bool | None:
    return None if value is None else value <= target


def render_targets(sizes: list[dict], metrics: list[dict]) -> list[str]:
    """Issue 12's table: measure | target | one column per size; each cell ours, then (baseline, ratio)."""
    t = ISSUE_TARGETS
    lines = ["| measure | target | " + " | ".join(
        f"size {s.get('per_municipality')} ({_num(m['deployments'], 0)} deployments)"
        for s, m in zip(sizes, metrics)) + " |", "|" + "---|" * (len(sizes) + 2)]

    def row(name: str, target: str, cell) -> None:
        lines.append(f"| {name} | {target} | " + " | ".join(cell(m) for m in metrics) + " |")

    def validate_cell(m: dict) -> str:
        cold = m["validate_cold_s"]
        if cold is None:
            return m["validate_note"] or "–"
        ok = (_within(cold, t["validate_s"]) and _within(m["validate_peak_mb"], t["validate_peak_mb"])
              and m.get("identical") is not False and m.get("identical_to_sparql") is not False)
        text = f"**{_num(cold, 2)} s, {_gb(m['validate_peak_mb'])}**{_mark(ok, m)}"
        if m["validate_warm_s"] is not None:
            text += f" (again on the same data: {_num(m['validate_warm_s'], 2)} s)"
        if m.get("sparql_engine_s") is not None:
            text += (f"; compiled-SPARQL engine {_num(m['sparql_engine_s'], 2)} s "
                     f"({_x(m['sparql_engine_s'], cold)}), "
                     f"same findings {'✅' if m.get('identical_to_sparql') else '❌'}")
        if m.get("pyshacl_s") is not None:
            text += (f"; pyshacl {_num(m['pyshacl_s'])} s on {m['pyshacl_sample']} deployments "
                     f"(≈ {_num(m['pyshacl_extrapolated_s'], 0)} s for all: {_ratio(m.get('pyshacl_ratio_full'))}), "
                     f"same findings {'✅' if m.get('identical') else '❌'}")
        elif m.get("pyshacl_note"):
            text += f"; pyshacl {m['pyshacl_note']}"
        return text

    row("`validate` all rules, result stored, end to end, first run after the load (s, peak memory)",
        "≤ 5 s, ≤ 4 GB, findings identical to pyshacl on the sample", validate_cell)

    def incremental_cell(m: dict) -> str:
        if m["incremental_ms"] is None:
            return m["incremental_note"] or "–"
        full_ms = m["validate_cold_s"] * 1000 if m["validate_cold_s"] else None
        return (f"**{_num(m['incremental_ms'])} ms**{_mark(_within(m['incremental_ms'], t['incremental_ms']), m)}; "
                f"full validate {_num(full_ms, 0)} ms ({_x(full_ms, m['incremental_ms'])})")

    row("re-validate after importing one deployment, p50", "≤ 20 ms", incremental_cell)

    def queries_cell(m: dict) -> str:
        if not m["reading_cases"]:
            return "not run"
        worst = m["reading_worst"]
        if worst is None:
            return f"no case answered ({m['reading_cases']} cases)"
        ok = m["reading_within"] == m["reading_cases"]
        text = (f"**worst {_num(worst[1])} ms** ({worst[0]}){_mark(ok, m)}, median {_num(m['reading_p50_median'])} ms; "
                f"{m['reading_within']} / {m['reading_cases']} ≤ 50 ms")
        if m["reading_unmeasured"]:
            text += f" ({m['reading_unmeasured']} timed out or skipped)"
        return text + (f"; raw pyoxigraph: worst case {_num(worst[2])} ms, median {_num(m['reading_raw_median'])} ms, "
                       f"median ratio {_ratio(m['reading_raw_ratio'])}" if m["reading_raw_median"] is not None else "")

    row("named queries that read deployments or findings, p50", "≤ 50 ms each", queries_cell)

    def pages_cell(m: dict) -> str:
        p = m["pages"]
        values = [v for page in p.values() for v in page.values()]
        if all(v is None for v in values):
            return m["http_note"] or "not run"
        ok = all(v is not None and v <= t["page_p50_ms"] for v in values)
        text = (f"**profile {_num(p['profile']['HTML'])} / {_num(p['profile']['JSON'])} ms, compare "
                f"{_num(p['compare']['HTML'])} / {_num(p['compare']['JSON'])} ms** (HTML / JSON){_mark(ok, m)}")
        raw = m["pages_raw"]
        if any(v is not None for v in raw.values()):
            text += (f"; raw pyoxigraph answering the same queries: profile {_num(raw['profile'])} ms "
                     f"({m['pages_queries']['profile']} queries, {_x(raw['profile'], p['profile']['JSON'])} of JSON), "
                     f"compare {_num(raw['compare'])} ms ({m['pages_queries']['compare']} queries, "
                     f"{_x(raw['compare'], p['compare']['JSON'])})")
        return text

    row("`/municipalities/{code}` and `/compare`, HTML and JSON, p50", "≤ 50 ms", pages_cell)

    def load_cell(m: dict) -> str:
        if m["load_s"] is None:
            return "not run"
        text = (f"**{_num(m['load_s'])} s, {_gb(m['load_rss'])}** for {_num(m['load_triples'], 0)} triples"
                f"{_mark(_within(m['load_s'], t['load_s']), m)}")
        if m["raw_load_s"] is not None:
            text += (f"; raw pyoxigraph `bulk_load` {_num(m['raw_load_s'])} s, {_gb(m['raw_load_rss'])} "
                     f"({_x(m['raw_load_s'], m['load_s'])})")
        elif m["raw_load_note"]:
            text += f"; raw `bulk_load` {m['raw_load_note']}"
        return text

    row("load the generated triples into a fresh store (s, peak memory)", "≤ 20 s for 4.1M", load_cell)

    def deref_cell(m: dict) -> str:
        if m["deref_turtle_ms"] is None and m["deref_html_ms"] is None:
            return m["http_note"] or "not run"
        ok = (_within(m["deref_turtle_ms"], t["deref_turtle_ms"]) and _within(m["deref_html_ms"], t["deref_html_ms"]))
        return (f"**{_num(m['deref_turtle_ms'])} / {_num(m['deref_html_ms'])} ms**{_mark(ok, m)}; raw `oxigraph serve` "
                f"DESCRIBE {_num(m['deref_raw_ms'])} ms ({_x(m['deref_raw_ms'], m['deref_turtle_ms'])} of Turtle)")

    row("dereference a deployment, Turtle / HTML, p50", "≤ 5 / ≤ 10 ms", deref_cell)
    lines += ["", "Each cell: **ours** (✅/❌ against the target at the judged size, 102,600 deployments), then the "
              "baseline measured in the same run and the ratio baseline / ours (above 1×: ours is faster)."]
    return lines


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
        *render_targets(sizes, metrics),
        "",
        "#### Details",
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
    row("build, same graphs bulk-loaded into a fresh store (generated file by the project's load, the rest "
        "beside it), s", "≤ 15 s at 2.5M triples",
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
    row("pages in process (`build_profile` / `build_comparison`), p50 ms", "",
        lambda m: m["pages_note"]
        or f"{_num(m['pages_inprocess']['profile'])} / {_num(m['pages_inprocess']['compare'])}")
    row("pages over HTTP, first request, ms: profile HTML / JSON, compare HTML / JSON", "",
        lambda m: " / ".join(_num(v) for v in m["pages_first"].values()))
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
                  "| case | rows | store p50 / p95 | raw pyoxigraph p50 (×) | rdflib p50 (×) | HTTP named p50 | "
                  "HTTP `/sparql` p50 | raw oxigraph serve p50 |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in m["query_rows"]:
            if r["skipped"]:
                store = "skipped (budget)"
            elif not r["measured"]:
                store = "not run"
            elif r["timeout"]:
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
            raw = "–" if r["pyox_p50"] is None else f"{_num(r['pyox_p50'])} ({_x(r['pyox_p50'], r['p50'])})"
            rows = r["rows"] if r["rows"] is not None else "–"
            lines.append(f"| {r['label']}{mark} | {rows} | {store} | {raw} | {rdf} | "
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
