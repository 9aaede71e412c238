"""What a command reports when it fails: the user-facing error and the exit codes every command shares."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class CommandError(Exception):
    """A user-facing error: printed as ``dge-graph: error: <message>`` with exit code 2."""
