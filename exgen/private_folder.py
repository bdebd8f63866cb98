"""A folder of this user's own in the temporary directory, for what a machine remembers between
commands (compiled templates, the digests of keys): made only this user can use it, and not
used if somebody else made it or it is open to others."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def private_folder(purpose: str) -> Path | None:
    """``<tmp>/exgen-<purpose>-<uid>``, or None where no such folder can be had safely."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"exgen-{purpose}-{uid if uid is not None else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        status = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(status.st_mode) or stat.S_IMODE(status.st_mode) & 0o077 or (uid is not None and status.st_uid != uid):
        return None  # somebody else's, a link, or open to others: not to be trusted
    return folder
