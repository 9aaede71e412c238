"""What a command reports when it fails: the user-facing error and the exit codes every command shares."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE, as a shell reports a pipeline writer that `head` closed


class CommandError(Exception):
    """A user-facing error: printed as ``dge-graph: error: <message>`` with exit code 2."""
