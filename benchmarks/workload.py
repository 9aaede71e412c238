"""The data a benchmark runs on: synthetic deployments over the real municipalities, and samples of them.

A *size* is the number of deployments per municipality (10, 50, 300); with all 342 municipalities that is 3,420,
17,100 and 102,600 deployments. The generator is deterministic (same seed, same bytes), so generated files are
cached in the work directory and reused between runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from dge_graph.ingest.build import Source, discover_sources
from dge_graph.ingest.synthetic import generate
from dge_graph.kernel.namespaces import ID

DEPLOYMENT_PREFIX = f"<{ID}deployment/"
SYNTHETIC_GRAPH_FOLDER = "synthetic"


@dataclass(frozen=True)
class Workload:
    municipalities: int
    per_municipality: int
    seed: int
    path: Path

    @property
    def deployments(self) -> int:
        return self.municipalities * self.per_municipality

    @property
    def source(self) -> Source:
        """The generated file as a build source: its own named graph ``graph/synthetic/<file name>``."""
        return Source(self.path, f"{SYNTHETIC_GRAPH_FOLDER}/{self.path.name}")


def workload_path(work_dir: Path, municipalities: int, per_municipality: int, seed: int) -> Path:
    return work_dir / "data" / f"synthetic-m{municipalities}-k{per_municipality}-s{seed}.nt"


def ensure_workload(work_dir: Path, municipalities: int, per_municipality: int, seed: int) -> tuple[Workload, bool]:
    """The generated file for these arguments, generating it if absent; also whether it was generated now."""
    path = workload_path(work_dir, municipalities, per_municipality, seed)
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
        generate(path, municipalities=municipalities, per_municipality=per_municipality, seed=seed)
    return Workload(municipalities, per_municipality, seed, path), created


def build_sources(workload_file: Path) -> list[Source]:
    """What the benchmark builds: the project's ontology and data, plus the synthetic deployments."""
    path = Path(workload_file)
    return [*discover_sources(), Source(path, f"{SYNTHETIC_GRAPH_FOLDER}/{path.name}")]


def _deployment_of(line: str) -> str | None:
    """The deployment IRI a line of the generated file is about (the deployment or one of its safeguards)."""
    if not line.startswith(DEPLOYMENT_PREFIX):
        return None
    subject = line[1:line.index(">")]
    key = subject[len(DEPLOYMENT_PREFIX) - 1:].split("/", 1)[0]
    return f"{ID}deployment/{key}"


def deployment_iris(workload_file: Path) -> list[str]:
    """Every deployment IRI of a generated file, in file order."""
    seen: dict[str, None] = {}
    with open(workload_file, encoding="utf-8") as lines:
        for line in lines:
            deployment = _deployment_of(line)
            if deployment is not None:
                seen.setdefault(deployment)
    return list(seen)


def sample_deployments(workload_file: Path, size: int, seed: int) -> list[str]:
    """A seeded random sample of ``size`` deployments (all of them when there are fewer)."""
    everyone = deployment_iris(workload_file)
    if size >= len(everyone):
        return everyone
    return sorted(random.Random(seed).sample(everyone, size))


def sample_ntriples(workload_file: Path, deployments: set[str]) -> bytes:
    """The generated file restricted to ``deployments``: their triples, their safeguards', and shared resources."""
    kept = []
    with open(workload_file, encoding="utf-8") as lines:
        for line in lines:
            deployment = _deployment_of(line)
            if deployment is None or deployment in deployments:
                kept.append(line)
    return "".join(kept).encode("utf-8")
