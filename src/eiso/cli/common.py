"""What every sub-command shares: exit codes and the command line's own error."""

from __future__ import annotations

from eiso.errors import EisoError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(EisoError):
    """A problem with how the command was called (exit 2)."""
