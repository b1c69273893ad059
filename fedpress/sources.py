"""The site folder -> the list of source files fedpress reads or copies.

Markdown under `content/pages/` are standalone pages, other Markdown are items, and
every other file under `content/` is a media file copied to the output as it is.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = "content"
PAGES_DIR = "pages"
_IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".bak")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    rel: str  # relative to the site root, with '/', e.g. "content/news/a.md" — used in messages
    content_rel: str  # relative to content/, e.g. "news/a.md"
    kind: str  # "item" | "page" | "media"
    digest: str

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


def find_sources(root: Path, known: dict[str, tuple[int, int, str]] | None = None) -> list[SourceFile]:
    """Every source file of the site, sorted by path so builds are deterministic. `known` maps a path
    to the (mtime, size, digest) seen before: a file whose mtime and size match is not read again,
    and the mapping is updated for the next call (the live preview keeps it between rebuilds)."""
    content = root / CONTENT_DIR
    if not content.is_dir():
        return []
    known = {} if known is None else known
    found = []
    seen_before = set(known)
    for content_rel, entry in _files(str(content), ""):
        seen_before.discard(content_rel)
        stat = entry.stat()
        seen = known.get(content_rel)
        if seen is None or seen[:2] != (stat.st_mtime_ns, stat.st_size):
            seen = known[content_rel] = (stat.st_mtime_ns, stat.st_size, digest_file(Path(entry.path)))
        found.append(SourceFile(Path(entry.path), f"{CONTENT_DIR}/{content_rel}", content_rel, _kind(content_rel), seen[2]))
    for gone in seen_before:  # deleted or renamed files are forgotten
        del known[gone]
    return found


def _files(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to content/, entry) of the files under `folder`, depth first in name order
    (the order of sorted paths). Ignored names are skipped, ignored folders not entered."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except PermissionError:  # a folder fedpress may not read holds nothing it could publish
        return
    for entry in entries:
        rel = prefix + entry.name
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _files(entry.path, rel + "/")
        elif entry.is_file() and not entry.name.endswith(_IGNORED_SUFFIXES):
            yield rel, entry


def digest_file(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def _kind(content_rel: str) -> str:
    if not content_rel.lower().endswith(".md"):
        return "media"
    return "page" if content_rel.split("/")[0] == PAGES_DIR else "item"


