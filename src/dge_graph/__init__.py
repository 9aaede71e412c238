"""dge-graph: a linked-data knowledge graph of Dutch municipalities' digital fundamental rights and ethics."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dge-graph")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled source tree
    __version__ = "0+unknown"
