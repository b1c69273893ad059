"""The built site and what the target holds -> what to upload, in what order, and what to delete.

Order keeps the live site whole at every moment: static files and images first, then
article pages, then lists, the home page, and feeds and the sitemap last — a reader
never follows a link to a page or an image that has not arrived yet.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problems
from ..search import BUNDLE
from .digests import DigestCache
from .manifest import MANIFEST, TEMP_SUFFIX, Entry
from .transport import RemoteFile, is_temp

ASSETS, PAGES, LISTS, HOME, FEEDS = range(5)
PHASES = ("静态文件和图片", "文章页面", "栏目和列表页", "首页", "订阅源和网站地图")
_HOME = {"index.html", "zh-hant/index.html"}
_FEEDS = {".xml", ".json", ".txt", ".rss", ".atom", ".webmanifest"}
_ARTICLE = re.compile(rb'<meta property="og:type" content="article"')
# Names Windows (and so IIS) refuses, whatever the extension.
_RESERVED = re.compile(r"(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?", re.IGNORECASE)
_WINDOWS_BAD = re.compile(r'[<>:"\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class LocalFile:
    path: str  # relative to the output folder, "/"-separated
    source: Path
    size: int
    sha256: str
    md5: str
    rank: int

    @property
    def entry(self) -> Entry:
        return Entry(self.sha256, self.size)


@dataclass(frozen=True)
class Plan:
    uploads: tuple[LocalFile, ...]  # in publishing order
    unchanged: int
    repairs: tuple[tuple[str, str], ...]  # (path, why): listed in the manifest but missing or changed on the target
    resumed: int  # files an interrupted deploy had already delivered
    deletes: tuple[str, ...]  # removed from the site and deleted from the target now
    kept: tuple[str, ...]  # removed from the site, left on the target (no --delete)
    forgotten: tuple[str, ...]  # listed in the manifest but already gone from the target
    empty_dirs: tuple[str, ...]  # folders left empty by the deletes, deepest first
    leftovers: tuple[str, ...]  # temporary files of an interrupted upload

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f in self.uploads)

    @property
    def changes_anything(self) -> bool:
        return bool(self.uploads or self.deletes or self.forgotten or self.leftovers)


def scan_output(output: Path, problems: Problems, cache: Path | None = None) -> dict[str, LocalFile]:
    """Every file of the built site with its digests and rank; unsafe names are problems.

    `cache` remembers digests by file stat, so unchanged files are not read again.
    """
    digests = DigestCache(cache)
    files: dict[str, LocalFile] = {}
    for source in sorted(p for p in output.rglob("*") if p.is_file()):
        path = source.relative_to(output).as_posix()
        size, sha256, md5, rank = digests.digest(path, source, _rank)
        files[path] = LocalFile(path, source, size, sha256, md5, rank)
    check_names(files, problems)
    digests.save()
    return files


def check_names(paths: Mapping[str, object], problems: Problems) -> None:
    """Paths that a Windows/IIS host or a URL would get wrong, and two that differ only in case."""
    lowered: dict[str, str] = {}
    for path in paths:
        name = posixpath.basename(path)
        if not path.isascii():
            problems.error(path, 0, "", "文件名含有汉字或其他非 ASCII 字符，在 Windows/IIS 主机和网址中容易出错。"
                                        "请把 content/ 中的原文件改用英文或拼音命名，再重新生成。")
        elif _WINDOWS_BAD.search(path) or any(_RESERVED.fullmatch(part) or part.endswith((".", " ")) for part in path.split("/")):
            problems.error(path, 0, "", "文件名含有 Windows/IIS 主机不允许的字符或名称（如 < > : \" | ? * 、CON、NUL，或以点、空格结尾）。请改名后重新生成。")
        elif name == MANIFEST or name.endswith(TEMP_SUFFIX):
            problems.error(path, 0, "", f"文件名 {name} 留给发布程序使用，请改名后重新生成。")
        other = lowered.setdefault(path.lower(), path)
        if other != path:
            problems.error(path, 0, "", f"与 {other} 只有大小写不同，在 Windows/IIS 主机上会互相覆盖。请把其中一个改名后重新生成。")


def _rank(path: str, data: bytes) -> int:
    extension = posixpath.splitext(path)[1].lower()
    if extension in (".html", ".htm"):
        if path in _HOME:
            return HOME
        if path.endswith("/print/index.html") or _ARTICLE.search(data):
            return PAGES
        return LISTS
    return FEEDS if extension in _FEEDS else ASSETS


def make_plan(
    local: Mapping[str, LocalFile],
    manifest: Mapping[str, Entry],
    journal: Mapping[str, Entry | None],
    remote: Mapping[str, RemoteFile] | None,
    delete: bool,
) -> Plan:
    """Compare the built site with what the target is known to hold.

    `manifest` is what the target's manifest lists, `journal` what an unfinished deploy
    delivered since, `remote` what the target really holds (None when not listed).
    """
    known = {**manifest, **journal}
    known = {path: entry for path, entry in known.items() if entry is not None}
    uploads, repairs = [], []
    unchanged = resumed = 0
    for path, file in local.items():
        entry = known.get(path)
        if entry is None or entry.sha256 != file.sha256:
            uploads.append(file)
            continue
        problem = _differs(file, remote.get(path)) if remote is not None else ""
        if problem:
            uploads.append(file)
            repairs.append((path, problem))
        elif path in journal and manifest.get(path) != entry:
            resumed += 1
        else:
            unchanged += 1
    gone = _removed(local, known)
    deletes, forgotten = [], []
    for path in gone:
        (forgotten if remote is not None and path not in remote else deletes).append(path)
    if not delete:
        # The search index renames its fragments whenever pages change: old ones are garbage that
        # fedpress itself put there (the manifest lists them), so they go even without --delete.
        kept = tuple(path for path in gone if path not in forgotten and not _is_search_index(path))
        deletes = [path for path in deletes if _is_search_index(path)]
    else:
        kept = ()
    leftovers = tuple(sorted(path for path in (remote or {}) if is_temp(path)))
    return Plan(
        uploads=tuple(sorted(uploads, key=lambda f: (f.rank, f.path))),
        unchanged=unchanged,
        repairs=tuple(sorted(repairs)),
        resumed=resumed,
        deletes=tuple(deletes),
        kept=kept,
        forgotten=tuple(forgotten),
        empty_dirs=_emptied(deletes, local, remote),
        leftovers=leftovers,
    )


def _differs(file: LocalFile, remote: RemoteFile | None) -> str:
    if remote is None:
        return "目标上缺少此文件"
    if remote.size != file.size:
        return f"目标上的文件大小不同（{remote.size} 字节，应为 {file.size} 字节）"
    if remote.md5 and remote.md5 != file.md5:
        return "目标上的文件内容不同"
    return ""


def _removed(local: Mapping[str, LocalFile], known: Mapping[str, Entry]) -> list[str]:
    """Files fedpress published that the site no longer has.

    A path that differs from a current file only in case is kept: on a case-insensitive
    host (Windows/IIS) it *is* that file, and deleting it would delete the new one.
    """
    current = {path.lower() for path in local}
    return sorted(path for path in known if path not in local and path.lower() not in current)


def _is_search_index(path: str) -> bool:
    return path.startswith(BUNDLE) or f"/{BUNDLE}" in path


def _emptied(deletes: list[str], local: Mapping[str, LocalFile], remote: Mapping[str, RemoteFile] | None) -> tuple[str, ...]:
    if not deletes or remote is None:
        return ()
    remaining = [path for path in remote if path not in set(deletes) and path != MANIFEST and not is_temp(path)] + list(local)
    occupied = {posixpath.dirname(path) for path in remaining}
    occupied |= {parent for folder in list(occupied) for parent in _parents(folder)}
    candidates = {parent for path in deletes for parent in _parents(posixpath.dirname(path))} | {posixpath.dirname(p) for p in deletes}
    return tuple(sorted((d for d in candidates if d and d not in occupied), key=lambda d: (-d.count("/"), d)))


def _parents(folder: str) -> list[str]:
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
