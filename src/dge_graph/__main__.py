"""``python -m dge_graph`` runs the command line."""

from .cli import run

run()
