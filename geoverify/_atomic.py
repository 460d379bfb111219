"""Atomic writes: a reader never sees a half-written output file."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def public_mode(path: str | os.PathLike[str], directory: bool = False) -> None:
    """Give a file made by mkstemp/mkdtemp (0600/0700) the usual permissions (0644/0755 less umask)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` and move it into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        public_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path for a writer that wants a file name (GDAL, Pillow, PyAV)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    os.unlink(tmp)
    try:
        yield Path(tmp)
        public_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


#: Marker file inside a folder being assembled; it holds the writer's process id, so a later
#: save can tell a folder left by a killed writer from one still being written.
PARTIAL_MARKER = ".geoverify-partial"


def _writer_alive(marker: Path) -> bool:
    try:
        pid = int(marker.read_text(encoding="ascii").strip() or "0")
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return pid > 0


def remove_stale_partials(parent: Path, name: str) -> list[Path]:
    """Remove the half-written folders that killed saves of ``parent/name`` left behind.

    Only folders named ``.{name}.*`` that hold :data:`PARTIAL_MARKER` with the id of a
    process no longer running are removed.
    """
    import shutil

    removed = []
    for p in parent.glob(f".{glob.escape(name)}.*"):
        marker = p / PARTIAL_MARKER
        if p.is_dir() and not p.is_symlink() and marker.is_file() and not _writer_alive(marker):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def check_replaceable(
    target: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    why_not_ours: Callable[[Path], str | None] = lambda _p: None,
) -> Path:
    """``target`` made absolute, if :func:`replace_dir` may write it; else OutputExistsError."""
    from .exceptions import OutputExistsError

    target = Path(os.path.abspath(target))
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise OutputExistsError(f"{target} exists and is not a folder; choose another path")
        if any(target.iterdir()):
            if not overwrite:
                raise OutputExistsError(
                    f"{target} exists and is not empty; pass overwrite=True (CLI: --force)"
                )
            why = why_not_ours(target)
            if why:
                raise OutputExistsError(f"{target} was not replaced: {why}")
    return target


def replace_dir(
    target: str | os.PathLike[str],
    write: Callable[[Path], None],
    *,
    overwrite: bool = False,
    why_not_ours: Callable[[Path], str | None] = lambda _p: None,
) -> Path:
    """Write a folder atomically: assemble it beside ``target``, then move it into place.

    Parameters
    ----------
    target
        The folder to write (made absolute first, so ``"."`` works).
    write
        Called with the empty temporary folder; fills it.
    overwrite
        Replace a non-empty ``target``, but only when ``why_not_ours(target)`` is None.
    why_not_ours
        Says why an existing folder is not one this writer made (then it is never replaced),
        or None.

    Raises
    ------
    OutputExistsError
        ``target`` is a file, or a non-empty folder and ``overwrite`` is false, or a folder
        that ``why_not_ours`` refuses.
    """
    import shutil

    target = check_replaceable(target, overwrite=overwrite, why_not_ours=why_not_ours)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(parent, target.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    public_mode(tmp, directory=True)
    (tmp / PARTIAL_MARKER).write_text(str(os.getpid()), encoding="ascii")
    moved_cwd = Path.cwd() == target if target.exists() else False
    try:
        write(tmp)
        (tmp / PARTIAL_MARKER).unlink()
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
            (old / PARTIAL_MARKER).write_text(str(os.getpid()), encoding="ascii")
            os.replace(target, old / "previous")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if moved_cwd:
        os.chdir(target)  # the process stood in the folder it replaced
    return target
