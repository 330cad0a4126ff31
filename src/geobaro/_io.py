"""File helpers shared by the package: one atomic write, one checksum."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "file_sha256"]


def atomic_write(path: Path | str, content: str | bytes | Callable[[Path], object]) -> Path:
    """Write ``content`` to ``path`` so that readers see the old file or the new one, never half.

    ``content`` is text (UTF-8, newlines kept as given), bytes, or a function that writes the
    file at the temporary path it is given (for writers such as ``GeoDataFrame.to_parquet``).
    The temporary file sits beside ``path`` and is removed if writing fails.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write(folder / "a.txt", "hello").read_text()
    'hello'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        if isinstance(content, str):
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                fh.write(content)
        elif isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            content(tmp)
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def file_sha256(path: Path | str) -> str:
    """Return the SHA-256 hex digest of a file, read in blocks (``pooch.file_hash``).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> file_sha256(p)[:12]
    'ba7816bf8f01'
    """
    import pooch

    return str(pooch.file_hash(str(path), alg="sha256"))
