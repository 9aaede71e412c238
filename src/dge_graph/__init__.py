"""dge-graph: a linked-data knowledge graph of Dutch municipalities' digital fundamental rights and ethics."""

from dge_graph.kernel.version import software_version

__version__ = software_version()
