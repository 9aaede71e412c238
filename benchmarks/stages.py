"""The measured stages. Each runs inside a worker process (``benchmarks.worker``) and returns a JSON-able dict.

* ``bulk_store``  — the store the later stages read: the synthetic deployments loaded into a fresh store the way
  ``dge-graph generate --store`` loads them (timed: issue 12's "load into a fresh store"), then the project's
  sources bulk-loaded beside them.
* ``raw_load``    — the baseline of that load: raw pyoxigraph ``bulk_load`` of the same file into a fresh store.
* ``build``       — ``dge_graph.ingest.build.build`` of the project plus the synthetic deployments into a fresh store.
* ``validate``    — ``dge-graph validate`` end to end (default engine: the table engine; result and measures
  stored, which the named queries about findings read), repeated; the compiled-SPARQL engine once as baseline.
* ``pyshacl``     — the reference engine on a sample of deployments (with the knowledge graph: the project's
  ontology and data without the shipped register records, which are deployments too), and our engine on exactly
  the same graph; findings must be identical.
* ``incremental`` — re-validation of one changed deployment on the validated store (``benchmarks.incremental``).
* ``queries``     — every named-query case through the embedded store (``run_named_query``), p50 and p95, and the
  same text (arguments bound the same way) on raw pyoxigraph beside it.
* ``pages``       — what is behind ``/municipalities/{code}`` and ``/compare``: ``build_profile`` /
  ``build_comparison`` in process, and the very queries they send, replayed on raw pyoxigraph (the baseline).
* ``rdflib``      — the same cases on rdflib's own SPARQL engine over the same quads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from dge_graph.ingest.algoritmeregister import SHIPPED_SNAPSHOT
from dge_graph.ingest.build import build, parse_source, provenance_triples
from dge_graph.kernel.namespaces import DGE, ID
from dge_graph.kernel.progress import Progress, byte_progress
from dge_graph.kernel.sparql_text import names_dataset
from dge_graph.query.named import run_named_query
from dge_graph.rules import validate as validation
from dge_graph.store import OxigraphStore, bind_parameters, ox_substitutions

from .measure import Latency, directory_mb, paired_timed, peak_rss_mb, repeat_timed, timed
from .querysets import case_by_label, query_cases
from .workload import build_sources, sample_deployments, sample_ntriples

EVALUATION_DATE = dt.date(2026, 11, 23)
"""A fixed evaluation date, so that every run checks the same active rules."""


class PhaseClock(Progress):
    """A ``Progress`` that records when each step was reported (to split build time into phases)."""

    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.marks: list[tuple[str, float]] = []

    def step(self, message: str, index: int | None = None, total: int | None = None) -> None:
        self.marks.append((message, time.perf_counter() - self._start))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parameters() -> validation.Parameters:
    return validation.Parameters(evaluation_date=EVALUATION_DATE)


def _digest(pairs: set[tuple[Any, Any]]) -> str:
    text = "\n".join(sorted(f"{a} {b}" for a, b in pairs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stage_build(store_dir: str, workload_file: str) -> dict:
    target = Path(store_dir)
    if target.exists():
        shutil.rmtree(target)
    store = OxigraphStore(target)
    clock = PhaseClock()
    seconds, report = timed(lambda: build(store, build_sources(Path(workload_file)), progress=clock))
    store.close()
    parsed_at = next((t for m, t in clock.marks if m.startswith("writing")), None)
    return {
        "seconds": seconds,
        "parse_seconds": parsed_at,
        "write_seconds": seconds - parsed_at if parsed_at is not None else None,
        "triples": report.triples,
        "store_mb": directory_mb(target),
    }


def _synthetic_and_project(workload_file: str):
    sources = build_sources(Path(workload_file))
    return sources[-1], sources[:-1]


def project_load(store: OxigraphStore, graph: str, ntriples_file: Path) -> None:
    """How the project loads a large generated N-Triples file into a store: the store call of ``dge-graph generate
    --store`` (``cli.generate.load_into_store``), with its progress callback (here quiet)."""
    store.bulk_replace_graph(graph, ntriples_file, progress=byte_progress(Progress(quiet=True), "loading"))


def _fresh_directory(target: Path) -> None:
    """Remove the store directory and what the project keeps beside it (``<store>.*``: e.g. saved fact tables)."""
    if (target / "CURRENT").exists():
        ox.Store(str(target))  # raises if a server or another worker still holds the store: never delete it under them
    for path in [target, *target.parent.glob(f"{target.name}.*")]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _line_count(path: Path) -> int:
    with open(path, "rb") as lines:
        return sum(1 for line in lines if line.strip())


def stage_bulk_store(store_dir: str, workload_file: str) -> dict:
    """The store the later stages read. First the synthetic deployments, loaded into the fresh store by the
    project's own load path (``project_load``, what ``dge-graph generate --store`` does): timed and its peak memory
    taken at that point (issue 12: "load 4.1M triples into a fresh store"). Then the project's sources, parsed by
    ``build.parse_source`` with the provenance triples ``build.build`` writes (for every graph, the synthetic one
    too), bulk-loaded beside them: the same graphs as ``build`` without its staging + MOVE."""
    target = Path(store_dir)
    _fresh_directory(target)
    synthetic, project = _synthetic_and_project(workload_file)
    start = time.perf_counter()
    store = OxigraphStore(target)
    load_seconds, _ = timed(lambda: project_load(store, synthetic.graph, synthetic.path))
    load_rss = peak_rss_mb()
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    activity = ox.NamedNode(f"{ID}build/{when.strftime('%Y%m%dT%H%M%SZ')}")
    synthetic_triples = _line_count(synthetic.path)  # N-Triples: one triple per line
    quads: list[ox.Quad] = []
    triples = 0
    for source in project:
        parsed = parse_source(source)
        parsed += provenance_triples(source, len(parsed), activity, when)
        graph = ox.NamedNode(source.graph)
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed)
        triples += len(parsed)
    described = provenance_triples(synthetic, synthetic_triples, activity, when)
    quads.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(synthetic.graph)) for t in described)
    triples += synthetic_triples + len(described)
    store.raw.bulk_load(input=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    store.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "load_seconds": load_seconds, "load_peak_rss_mb": load_rss,
            "load_triples": synthetic_triples, "triples": triples, "store_mb": directory_mb(target)}


def stage_raw_load(store_dir: str, workload_file: str) -> dict:
    """Raw pyoxigraph ``bulk_load`` of the same generated file into a fresh store directory (then removed)."""
    target = Path(store_dir)
    _fresh_directory(target)
    synthetic, _ = _synthetic_and_project(workload_file)

    def load() -> None:
        store = ox.Store(str(target))
        store.bulk_load(path=str(synthetic.path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(synthetic.graph))
        store.flush()

    seconds, _ = timed(load)
    rss = peak_rss_mb()
    size = directory_mb(target)
    shutil.rmtree(target, ignore_errors=True)
    return {"seconds": seconds, "load_peak_rss_mb": rss, "store_mb": size}


def stage_validate(store_dir: str, runs: int, violations_file: str, cap_s: float, sparql_baseline: bool = True) -> dict:
    """``dge-graph validate`` end to end, as the command runs it: ``validate_store`` with the default engine (the
    table engine on the embedded store: fact table read, rules and decisions evaluated) and ``store_report`` (the
    compact result and the measures, bulk-written), up to ``runs`` times within ``cap_s``; then the deployment
    index alone, and the compiled-SPARQL engine once on the same store as the baseline (same findings?)."""
    store = OxigraphStore(Path(store_dir))
    shapes = validation.load_shapes()
    parameters = _parameters()

    def run():
        started = time.perf_counter()
        report = validation.validate_store(store, parameters, shapes=shapes, decide=True)
        validated = time.perf_counter()
        validation.store_report(store, report, shapes)
        return report, validated - started, time.perf_counter() - validated

    total, (report, validate_seconds, store_seconds) = repeat_timed(run, runs, warmup=0, cap_s=cap_s)
    validate_rss = peak_rss_mb()  # before the baseline runs in this process
    index_seconds, _ = timed(lambda: validation.deployment_index(store))
    violations = {(f.deployment, f.shape) for f in report.findings}
    Path(violations_file).write_text("\n".join(sorted(f"{f} {s}" for f, s in violations)), encoding="utf-8")
    baseline: dict = {}
    if sparql_baseline:
        resolved = shapes.resolved(parameters)
        sparql_seconds, found = timed(lambda: validation.sparql_violations(store, resolved, shapes.rules))
        baseline = {"sparql_engine_seconds": sparql_seconds, "identical_to_sparql": found == violations}
    store.close()
    return {
        "seconds": total,
        "validate_peak_rss_mb": validate_rss,
        "engine": report.engine,
        "validate_seconds": validate_seconds,
        "engine_seconds": validate_seconds - index_seconds,
        "index_seconds": index_seconds,
        "store_report_seconds": store_seconds,
        "findings": len(report.findings),
        "deployments": report.deployments_checked,
        "active_rules": len(report.active_rules),
        "violations_digest": _digest(violations),
        **baseline,
    }


def _sample_store(workload_file: Path, sample: set[str]) -> OxigraphStore:
    """An in-memory store of the knowledge graph plus the sampled deployments (what pyshacl gets too).

    The shipped register snapshot is left out: its ~1,500 records are deployments, not knowledge, and with them
    pyshacl's time would not be that of the sample (nor its per-deployment extrapolation)."""
    store = OxigraphStore(None)
    for source in build_sources(workload_file)[:-1]:
        if source.relative == SHIPPED_SNAPSHOT:
            continue
        store.raw.load(path=str(source.path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
    store.raw.load(input=sample_ntriples(workload_file, sample), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode("urn:dge-graph:benchmark:sample"))
    return store


def stage_pyshacl(workload_file: str, violations_file: str, sample_size: int, seed: int) -> dict:
    workload = Path(workload_file)
    sample = set(sample_deployments(workload, sample_size, seed))
    shapes = validation.load_shapes()
    resolved = shapes.resolved(_parameters())
    sample_store = _sample_store(workload, sample)
    data = sample_store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    ours_seconds, ours = repeat_timed(lambda: validation.sparql_violations(sample_store, resolved, shapes.rules), 3)
    _log(f"pyshacl on {len(sample)} deployments ({len(data)} triples) ...")
    reference_seconds, reference = timed(lambda: validation.pyshacl_violations(data, resolved, shapes.rules))
    # the same deployments as judged by the validate stage on the full store
    judged = Path(violations_file).read_text(encoding="utf-8").splitlines()
    # the sample graph also holds the project's own example deployments (not the register's)
    present = {str(row["d"]) for row in sample_store.query(f"SELECT DISTINCT ?d {{ ?d a <{DGE.Deployment}> }}").rows}
    in_full = {(URIRef(f), URIRef(s)) for f, s in (line.split(" ") for line in judged if line) if f in present}
    return {
        "sample_deployments": len(sample),
        "sample_triples": len(data),
        "pyshacl_seconds": reference_seconds,
        "sparql_seconds_on_sample": ours_seconds,
        "pyshacl_findings": len(reference),
        "sparql_findings": len(ours),
        "identical_on_sample": reference == ours,
        "identical_to_full_store": reference == in_full,
        "only_pyshacl": sorted(f"{f} {s}" for f, s in reference - ours)[:10],
        "only_sparql": sorted(f"{f} {s}" for f, s in ours - reference)[:10],
    }


def raw_query(raw: ox.Store, sparql: str, *, default_graph_uris=None, named_graph_uris=None) -> int:
    """``sparql`` on raw pyoxigraph over the same dataset the embedded store gives it (the union of all graphs as
    default graph unless the text or the call names one); every solution or triple is read. Returns the count."""
    kwargs: dict = {}
    if default_graph_uris:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph_uris]
    elif named_graph_uris:
        kwargs["default_graph"] = []
    elif not names_dataset(sparql):
        kwargs["use_default_graph_as_union"] = True
    if named_graph_uris:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graph_uris]
    result = raw.query(sparql, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def stage_queries(store_dir: str, labels: list[str], repetitions: int, cap_s: float) -> dict:
    """Time the given cases through ``run_named_query`` (what the CLI and API run), then the same text with the
    arguments bound the same way (``bind_parameters``) on raw pyoxigraph: p50/p95 of each (the runner starts one
    worker per case: pyoxigraph queries cannot be cancelled)."""
    store = OxigraphStore(Path(store_dir), read_only=True)
    results = {}
    for label in labels:
        case = case_by_label(label)
        arguments = dict(case.arguments)
        text = bind_parameters(case.query.sparql, ox_substitutions(case.substitutions))
        (samples, value), (raw_samples, raw_rows) = paired_timed(
            lambda: run_named_query(store, case.query, arguments), lambda: raw_query(store.raw, text),
            repetitions, cap_s=cap_s)
        results[case.label] = {**case.as_dict(), **Latency.of(samples).as_dict(), "rows": _row_count(value),
                               "raw": {**Latency.of(raw_samples).as_dict(), "rows": raw_rows}}
    return {"cases": results}


class _RecordingStore(OxigraphStore):
    """The embedded store, noting every query sent to it (to replay the very queries behind a page on raw
    pyoxigraph). A real store: the queries are answered by it as always."""

    recorded: list[tuple[str, dict]]

    def evaluate(self, sparql, **kwargs):
        if getattr(self, "recording", False):
            self.recorded.append((sparql, kwargs))
        return super().evaluate(sparql, **kwargs)


def _replay(raw: ox.Store, recorded: list[tuple[str, dict]]) -> int:
    return sum(raw_query(raw, bind_parameters(sparql, kwargs.get("substitutions")),
                         default_graph_uris=kwargs.get("default_graph_uris"),
                         named_graph_uris=kwargs.get("named_graph_uris")) for sparql, kwargs in recorded)


def stage_pages(store_dir: str, profile: str, compare: list[str], repetitions: int, cap_s: float) -> dict:
    """The work behind ``/municipalities/{profile}`` and ``/compare?m=…``: ``build_profile`` / ``build_comparison``
    in process (no HTTP, no rendering; the http stage times the routes), and the queries each sends, recorded
    once and replayed on raw pyoxigraph (the baseline: what the store alone needs to answer them)."""
    from dge_graph.query.analytics import build_comparison, build_profile

    store = _RecordingStore(Path(store_dir), read_only=True)
    store.recorded, store.recording = [], False
    pages = {"profile": lambda: build_profile(store, profile), "compare": lambda: build_comparison(store, compare)}
    results = {}
    for name, call in pages.items():
        store.recorded, store.recording = [], True
        call()
        recorded, store.recording = store.recorded, False
        (samples, _), (raw_samples, _) = paired_timed(call, lambda: _replay(store.raw, recorded), repetitions,
                                                      cap_s=cap_s)
        results[name] = {**Latency.of(samples).as_dict(), "queries": len(recorded),
                         "raw": Latency.of(raw_samples).as_dict()}
    return {"profile_code": profile, "compare_codes": compare, "pages": results}


def stage_incremental(store_dir: str, runs: int) -> dict:
    """Re-validate one changed deployment on the validated store, ``runs`` times (``benchmarks.incremental``)."""
    from .incremental import measure

    store = OxigraphStore(Path(store_dir))
    try:
        return measure(store, runs, say=_log)
    finally:
        store.close()


def _row_count(value: Any) -> int:
    if isinstance(value, bool):
        return 1
    return len(value.rows) if hasattr(value, "rows") else len(value)


class _CaseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CaseTimeout


def stage_rdflib(store_dir: str, repetitions: int, cap_s: float, timeout_s: float) -> dict:
    from rdflib import Dataset

    store = OxigraphStore(Path(store_dir), read_only=True)
    dump = store.raw.dump(format=ox.RdfFormat.N_QUADS)
    store.close()
    dataset = Dataset(default_union=True)
    load_seconds, _ = timed(lambda: dataset.parse(data=dump, format="nquads"))
    del dump
    results: dict[str, dict] = {}
    signal.signal(signal.SIGALRM, _on_alarm)
    for case in query_cases():
        substitutions = case.substitutions
        signal.alarm(int(timeout_s))
        try:
            samples, value = repeat_timed(lambda: list(dataset.query(case.query.sparql, initBindings=substitutions)),
                                          repetitions, warmup=0, cap_s=cap_s)
        except _CaseTimeout:
            results[case.label] = {"timeout_s": timeout_s}
            _log(f"rdflib {case.label}: more than {timeout_s:.0f} s")
            continue
        finally:
            signal.alarm(0)
        results[case.label] = {**Latency.of(samples).as_dict(), "rows": len(value)}
        _log(f"rdflib {case.label}: {Latency.of(samples).p50_ms:.0f} ms")
    return {"load_seconds": load_seconds, "cases": results}


STAGES = {
    "build": stage_build,
    "bulk_store": stage_bulk_store,
    "raw_load": stage_raw_load,
    "validate": stage_validate,
    "pyshacl": stage_pyshacl,
    "incremental": stage_incremental,
    "queries": stage_queries,
    "pages": stage_pages,
    "rdflib": stage_rdflib,
}


def run_stage(name: str, params: dict) -> dict:
    result = STAGES[name](**params)
    result["peak_rss_mb"] = peak_rss_mb()
    return result
