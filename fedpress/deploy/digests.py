"""Digests of the built site's files, remembered between deploys.

The writer leaves an unchanged file untouched (same inode, size and modification time),
so a file whose stat is as last time need not be read again: a site with gigabytes of
photos and attachments is not re-hashed for every one-article deploy.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

_CHUNK = 1 << 20
HEAD = 16384  # enough of a page to see its <meta property="og:type">


def _stamp(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


class DigestCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, list] = {}
        self.fresh: dict[str, list] = {}
        if path is not None:
            try:
                self.known = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}

    def digest(self, rel: str, source: Path, rank_of: Callable[[str, bytes], int]) -> tuple[int, str, str, int]:
        """(size, sha256, md5, rank) of one file, read only if it changed since last time."""
        stamp = _stamp(source.stat())
        entry = self.known.get(rel)
        if isinstance(entry, list) and len(entry) == 6 and entry[:3] == stamp:
            self.fresh[rel] = entry
            return stamp[0], entry[3], entry[4], entry[5]
        sha, md5, head = hashlib.sha256(), hashlib.md5(), b""
        with source.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                head = head or chunk[:HEAD]
                sha.update(chunk)
                md5.update(chunk)
        rank = rank_of(rel, head)
        self.fresh[rel] = [*stamp, sha.hexdigest(), md5.hexdigest(), rank]
        return stamp[0], sha.hexdigest(), md5.hexdigest(), rank

    def save(self) -> None:
        """Keep what this scan saw (files gone from the site drop out); a cache that cannot be written is no loss."""
        if self.path is None or self.fresh == self.known:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_suffix(".tmp")
            temp.write_text(json.dumps(self.fresh, separators=(",", ":")), encoding="utf-8")
            os.replace(temp, self.path)
        except OSError:
            pass
