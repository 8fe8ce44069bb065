"""Where uploaded and generated files live: a small interface so object storage can replace
the filesystem at scale. Files are addressed by the SHA-256 of their content, so the same
attachment copied into a new course version is stored once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


class FileStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("storage keys are SHA-256 hex digests")
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(data)
                temporary = handle.name
            os.replace(temporary, path)  # atomic: readers never see half a file
        return key

    def put_file(self, source: str | Path) -> str:
        """Store a (large) file without reading it into memory; the source is moved or
        removed. Returns its key."""
        digest = hashlib.sha256()
        with open(source, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        key = digest.hexdigest()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            os.unlink(source)
        else:
            os.replace(source, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def local_path(self, key: str) -> Path:
        return self._path(key)


def storage() -> FileStorage:
    return FileStorage(current_app.config["STORAGE_PATH"])
