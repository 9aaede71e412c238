"""``python -m dge_graph`` runs the command line."""

from dge_graph.cli import run

run()
