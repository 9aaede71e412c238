"""The software's version, looked up once here: the installed distribution's version, ``0+unknown`` from a source
tree that is not installed (a PEP 440 local version, so it sorts before every release)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from dge_graph.kernel.namespaces import ID

DISTRIBUTION = "dge-graph"
UNKNOWN_VERSION = "0+unknown"


def software_version() -> str:
    """The installed version of dge-graph, or ``UNKNOWN_VERSION``."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def software_iri() -> str:
    """The IRI of this version of the software, the agent of the build activity (``prov:wasAssociatedWith``)."""
    return f"{ID}software/dge-graph/{software_version()}"
