"""Reading packages from folders and zips safely, and writing them back.

Reading refuses unsafe archives: path traversal, absolute paths, symbolic links, encrypted or
duplicate entries, and zip bombs (more than ``MAX_FILES`` files or ``MAX_TOTAL_BYTES`` unpacked).
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_FILES = 2000
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class PackageError(ValueError):
    """The package cannot be read at all; ``problems`` says why, file by file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# --- reading folders and zips ----------------------------------------------------------------


def unsafe_name(name: str) -> str | None:
    """Why an entry name is refused, or None when it is a plain relative path."""
    if "\\" in name:
        return _("Backslashes are not allowed in file names.")
    if "\x00" in name:
        return _("File names cannot contain NUL characters.")
    if name.startswith("/") or _DRIVE.match(name):
        return _("Absolute paths are not allowed.")
    parts = name.removesuffix("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return _("Paths with “..”, “.” or empty parts are not allowed.")
    return None


def _ignored(name: str) -> bool:
    """Hidden files and macOS archive clutter (.DS_Store, __MACOSX/)."""
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def _too_big(where: str) -> Problem:
    return Problem(
        where,
        None,
        _(
            "The package holds more than %(n)d MB once unpacked; split it.",
            n=MAX_TOTAL_BYTES // (1024 * 1024),
        ),
    )


def _too_many(where: str) -> Problem:
    return Problem(where, None, _("The package holds more than %(n)d files.", n=MAX_FILES))


def read_zip(data: bytes, name: str = "package.zip") -> dict[str, bytes]:
    """The files of a zip (relative path → bytes); raises PackageError for an unsafe one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise PackageError([Problem(name, None, _("This is not a valid zip file."))]) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_FILES:
            raise PackageError([_too_many(name)])
        if sum(entry.file_size for entry in entries) > MAX_TOTAL_BYTES:
            raise PackageError([_too_big(name)])
        problems: list[Problem] = []
        files: dict[str, bytes] = {}
        total = 0
        for entry in entries:
            reason = unsafe_name(entry.filename)
            if reason is None and stat.S_ISLNK(entry.external_attr >> 16):
                reason = _("Symbolic links are not allowed.")
            if reason is None and entry.flag_bits & 0x1:
                reason = _("Encrypted files are not supported.")
            if reason is None and entry.filename in files:
                reason = _("The archive holds this file twice.")
            if reason:
                problems.append(Problem(entry.filename, None, reason))
                continue
            if entry.is_dir() or _ignored(entry.filename):
                continue
            chunks, size = [], 0
            try:
                with archive.open(entry) as handle:
                    while chunk := handle.read(1024 * 1024):
                        size += len(chunk)
                        total += len(chunk)
                        if size > entry.file_size or total > MAX_TOTAL_BYTES:
                            raise PackageError([_too_big(name)])
                        chunks.append(chunk)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError):
                problems.append(Problem(entry.filename, None, _("This file is damaged.")))
                continue
            files[entry.filename] = b"".join(chunks)
    if problems:
        raise PackageError(problems)
    return files


def read_folder(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """The files under a folder (relative path → bytes); symbolic links are refused."""
    root = Path(path)
    if root.is_symlink() or not root.is_dir():
        raise PackageError([Problem(str(path), None, _("This is not a folder."))])
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    total = 0
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(current)
        for name in sorted(dirnames):
            relative = (base / name).relative_to(root).as_posix()
            if (base / name).is_symlink():
                problems.append(Problem(relative, None, _("Symbolic links are not allowed.")))
            if (base / name).is_symlink() or _ignored(name):
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            full = base / name
            relative = full.relative_to(root).as_posix()
            if _ignored(name):
                continue
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                problems.append(Problem(relative, None, _("Symbolic links are not allowed.")))
                continue
            if not stat.S_ISREG(info.st_mode):
                problems.append(Problem(relative, None, _("This is not a regular file.")))
                continue
            total += info.st_size
            if len(files) >= MAX_FILES:
                raise PackageError([_too_many(str(path))])
            if total > MAX_TOTAL_BYTES:
                raise PackageError([_too_big(str(path))])
            files[relative] = full.read_bytes()
    if problems:
        raise PackageError(problems)
    return files


def read_path(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """A folder or a .zip file."""
    path = Path(path)
    if path.is_dir():
        return read_folder(path)
    if not path.is_file():
        raise PackageError([Problem(str(path), None, _("No such file or folder."))])
    if path.stat().st_size > MAX_TOTAL_BYTES:
        raise PackageError([_too_big(path.name)])
    return read_zip(path.read_bytes(), path.name)


# --- writing folders and zips ----------------------------------------------------------------


def to_zip(files: dict[str, bytes], folder: str | None = None) -> bytes:
    """A zip of the files, under one top folder when given (same bytes for the same files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(f"{folder}/{name}" if folder else name, (2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[name])
    return buffer.getvalue()


def write_folder(files: dict[str, bytes], path: str | os.PathLike[str]) -> None:
    """Write the files under ``path``, which must not exist or be an empty folder."""
    root = Path(path)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise PackageError([Problem(str(path), None, _("The folder exists and is not empty."))])
    for name, data in files.items():
        if unsafe_name(name):
            raise PackageError([Problem(name, None, unsafe_name(name) or "")])
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
