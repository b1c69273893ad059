"""What the last build was made from, kept in <site>/.cache/ (outside output/, so output stays deployable).

All incremental decisions live here:
- `InputsStamp`: the size and modification time of every input (content, config, templates,
  static files, fedpress itself). Same stamp, same options, schedule not due to change: nothing
  to do at all.
- Markup cache: an item's HTML by the digest of everything it was made from (body, type, the
  URLs its links resolved to), so an unchanged article is never converted again.
- Output fingerprints: per output file, a digest of the values it shows (its items' source digests
  and URLs, its neighbours, its page of a list, the site-wide values every page shows). A job whose
  fingerprint is unchanged and whose file exists is not rendered again.
- Search index shards: the pages each shard of the last build's index holds, its files and a digest
  of the copies Pagefind read. A shard whose pages are the same and unchanged is not made again
  (`standing_shard`), nor one whose pages changed but whose copies did not (`shard_made_from`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import shutil
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from . import __version__
from .config import CONFIG_FILE, BuildOptions
from .errors import BuildError
from .library import Item, Library, Rendered, Tag, link_state
from .parallel import in_child
from .plan import OutputJob, twins_of
from .reader import Document
from .sources import SourceFile

if TYPE_CHECKING:  # search.py is loaded only by builds that make the index
    from .search import Shard

_STATE_FILE = "buildstate.pickle"
_MARKUP_FOLDER = "markup"  # the markup cache, in _BUCKETS files by key (`_bucket`)
_QR_FILE = "qrcodes.pickle"
_PARSED_FILE = "parsed.pickle"  # the slugs, and which code made the parsed documents
_PARSED_FOLDER = "parsed"  # the documents and their items, in _BUCKETS files by their paths (`_bucket`)
_BUCKETS = 16  # a rebuild writes again only the buckets whose entries changed
_TEMPLATES_FOLDER = "templates"
_FORMAT = (__version__, 16)  # bump when what is stored changes
_PACKAGE = Path(__file__).resolve().parent
T = TypeVar("T")


class ShardRecord(NamedTuple):
    """A search index shard as the last build left it."""

    pages: tuple[str, ...]
    files: tuple[str, ...]
    copies_digest: str  # of the copies of its pages that Pagefind read, and how it ran (search.Bundle)
    recipe: str = ""  # how it was made besides its pages (search.index_recipe)
    texts: tuple[str, ...] = ()  # the Traditional texts of its pages
    texts_made_with: str = ""  # how those were made (search.TwinTexts.identity_digest; "" if none were)


@dataclasses.dataclass
class BuildState:
    """Loaded at the start of a build, saved after a successful one. `serve` keeps it in memory."""

    folder: Path
    stamp: str = ""  # inputs and options of the last successful build
    next_change: float | None = None  # when a future item is due or a listed item expires
    output: str = ""  # the output folder the fingerprints describe
    theme: str = ""  # the theme folder the last build used
    outputs: dict[str, str] = dataclasses.field(default_factory=dict)  # rendered output path -> fingerprint
    files: int = 0  # files in the output, copied ones included
    paths: frozenset[str] = frozenset()  # every file the last build put in the output
    warnings: tuple[BuildError, ...] = ()
    indexed: frozenset[str] = frozenset()  # the pages the search index holds
    shards: dict[str, ShardRecord] = dataclasses.field(default_factory=dict)  # the search index's shards by folder
    markup: dict[str, tuple[Rendered, tuple[BuildError, ...]]] | None = None  # loaded on first use
    markup_written: dict[str, tuple[Rendered, tuple[BuildError, ...]]] = dataclasses.field(default_factory=dict)  # as last loaded or written
    qr_codes: dict[str, bytes] | None = None  # QR code drawings by URL (see templates.QrCodes), loaded on first use
    qr_dirty: bool = False
    # Content files' (mtime, size, digest): a file whose mtime and size are unchanged is not read again.
    source_stats: dict[str, tuple[int, int, str]] = dataclasses.field(default_factory=dict)
    # Parsed documents (by content-relative path) and items (see library.build_library(known=...)), by the
    # digest of their source: loaded on first use; re-parsing every front matter took half of a rebuild.
    documents: dict[str, tuple[str, Document, tuple[BuildError, ...]]] = dataclasses.field(default_factory=dict)
    items: dict = dataclasses.field(default_factory=dict)
    slugs: dict[str, str] = dataclasses.field(default_factory=dict)  # text -> its pinyin slug (see library.remembering)
    parsed_loaded: tuple[dict, dict, dict] | None = None  # copies of what was loaded (None: nothing yet), to know if it changed
    parsed_writing: tuple[Callable[[], bool], tuple[dict, dict, dict]] | None = None  # save_parsed's child still at work, and what it writes

    @classmethod
    def load(cls, folder: Path) -> BuildState:
        state = cls(folder)
        stored = _read(folder / _STATE_FILE)
        if stored and stored.get("format") == _FORMAT:
            state.stamp, state.next_change, state.output, state.theme = stored["stamp"], stored["next_change"], stored["output"], stored["theme"]
            state.outputs, state.warnings, state.files = stored["outputs"], stored["warnings"], stored["files"]
            state.paths, state.source_stats = stored["paths"], stored["source_stats"]
            state.indexed, state.shards = stored["indexed"], stored["shards"]
        return state

    def output_stands(self, options: BuildOptions, now: float, stamp: str | None = None) -> bool:
        """Nothing the last build read has changed, and no scheduled change is due (`now` is a timestamp):
        its output stands as it is. `stamp` is this build's inputs stamp if already taken; if not, it is
        taken with the last build's theme folder, so the command line knows without reading config.yaml
        and a build with nothing to do loads none of the build stages."""
        output = options.output_dir
        return (options.skip_if_current and not options.clean and bool(self.stamp) and self.output == str(output)
                and (self.next_change is None or now < self.next_change) and (output / "index.html").is_file()
                and (stamp or inputs_stamp(options, Path(self.theme))) == self.stamp)

    def standing_shard(self, shard: Shard, changed: Set[str], output: Path, recipe: str) -> ShardRecord | None:
        """The search index shard as the last build made it, if it stands: it held the same pages, none of
        them changed since (`changed`: the pages this build staged), it was made the same way (`recipe`)
        and its files are all in the output."""
        return self._last_shard(shard, output, lambda known: known.recipe == recipe and changed.isdisjoint(shard.pages))

    def shard_made_from(self, shard: Shard, copies_digest: str, output: Path) -> tuple[str, ...] | None:
        """The files of the search index shard the last build made from the same copies of the same pages,
        by the same Pagefind (`copies_digest`, see search.Bundle), if they are all in the output."""
        known = self._last_shard(shard, output, lambda known: known.copies_digest == copies_digest)
        return None if known is None else known.files

    def _last_shard(self, shard: Shard, output: Path, stands: Callable[[ShardRecord], bool]) -> ShardRecord | None:
        """The last build's record of `shard`, if it held the same pages, `stands` says so and its files are all in the output."""
        known = self.shards.get(shard.folder)
        if known is None or known.pages != shard.pages or not stands(known):
            return None
        return known if all((output / path).is_file() for path in known.files) else None

    def cached_markup(self) -> dict[str, tuple[Rendered, tuple[BuildError, ...]]]:
        if self.markup is None:
            self.markup = {}
            for number in range(_BUCKETS):
                self.markup.update(_read_entries(self._bucket_file(_MARKUP_FOLDER, number)))
            self.markup_written = dict(self.markup)
        return self.markup

    def remember_markup(self, entries: Mapping[str, tuple[Rendered, tuple[BuildError, ...]]], used: Iterable[str]) -> None:
        """Keep the entries this build used (new ones added), drop the rest."""
        self.cached_markup()  # what is on disk, so that saving writes only what changed
        keep = set(used)
        self.markup = {key: entries[key] for key in keep if key in entries}

    def load_parsed(self) -> None:
        """Documents, items and slugs as earlier builds made them; only if fedpress's code is the same."""
        if self.parsed_loaded is None:
            stored = _read(self.folder / _PARSED_FILE)
            if stored and stored.get("format") == _FORMAT and stored.get("code") == code_digest():
                self.slugs = stored["slugs"]
                for number in range(_BUCKETS):
                    bucket = _read(self._bucket_file(_PARSED_FOLDER, number))
                    if bucket and bucket.get("code") == stored["code"]:  # (a build that failed to write it left another)
                        self.documents.update(bucket["documents"])
                        self.items.update(bucket["items"])
            self.parsed_loaded = self._parsed()

    def keep_parsed(self, sources: Iterable[SourceFile]) -> None:
        """Forget the documents and items of files that are gone."""
        sources = list(sources)
        documents, items = {s.content_rel for s in sources}, {s.rel for s in sources}
        self.documents = {key: value for key, value in self.documents.items() if key in documents}
        self.items = {key: value for key, value in self.items.items() if key in items}

    def save_parsed(self) -> None:
        """Written once the site is prepared, whatever the rest of the build gives: the entries stand
        for their sources' digests. Written by a forked process, while the build goes on (`parsed_saved`
        waits for it): pickling makes CPython keep a UTF-8 copy of every string it writes, and at 10,000
        items the bodies' copies took 40 MB; waiting for it took a seventh of a one-article rebuild.
        Only the buckets with an entry added, replaced or gone are written: pickling an object writes
        to it (its count of references), so the memory holding all it writes is copied into the child,
        and rewriting all 10,000 documents after a one-article edit took 100 MB beside the build."""
        if self.parsed_loaded is None:
            return
        documents, items, slugs = self.parsed_loaded
        # Items are by site-relative path: content/<the document's path>.
        changed = _changed_buckets(self.documents, documents) | _changed_buckets(self.items, items, lambda rel: rel.split("/", 1)[1])
        if changed or self.slugs != slugs:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / _PARSED_FOLDER).mkdir(exist_ok=True)
            header = {"format": _FORMAT, "code": code_digest(), "slugs": self.slugs}
            self.parsed_writing = (in_child(lambda: self._write_parsed(header, changed)), self._parsed())

    def _write_parsed(self, header: dict, buckets: Set[int]) -> None:
        """Each of `buckets`, then the header; each bucket holds its documents and their items, pickled
        together so that a body both hold is stored once."""
        for number, entries in _in_buckets(self.documents, buckets).items():
            rels = [entry[1].source.rel for entry in entries.values() if entry[1] is not None]
            _write(self._bucket_file(_PARSED_FOLDER, number), {"code": header["code"], "documents": entries,
                                               "items": {rel: self.items[rel] for rel in rels if rel in self.items}})
        _write(self.folder / _PARSED_FILE, header)

    def _bucket_file(self, folder: str, number: int) -> Path:
        return self.folder / folder / f"{number}.pickle"

    def parsed_saved(self) -> None:
        """Wait for what `save_parsed` writes; once written, it is what the next build need not write again."""
        if self.parsed_writing is not None:
            finished, written = self.parsed_writing
            self.parsed_writing = None
            if finished():
                self.parsed_loaded = written

    def _parsed(self) -> tuple[dict, dict, dict]:
        # Shallow copies: comparing them later is quick, since unchanged entries are the same objects.
        return dict(self.documents), dict(self.items), dict(self.slugs)

    def cached_qr_codes(self) -> dict[str, bytes]:
        if self.qr_codes is None:
            self.qr_codes = _read_entries(self.folder / _QR_FILE)
        return self.qr_codes

    def remember_qr_codes(self, made: Mapping[str, bytes], urls: Iterable[str]) -> None:
        """Keep the codes of the site's current pages (`urls`), new ones added."""
        cache = self.cached_qr_codes()
        kept = {url: cache[url] for url in urls if url in cache}
        kept.update(made)
        self.qr_dirty = self.qr_dirty or bool(made) or len(kept) != len(cache)
        self.qr_codes = kept

    def compiled_templates(self) -> Path:
        """The folder of Jinja's compiled templates. Jinja checks each against its template's source;
        the folder is named after fedpress's code, which sets the options templates are compiled with."""
        folder = self.folder / _TEMPLATES_FOLDER / code_digest()
        if not folder.is_dir():
            shutil.rmtree(folder.parent, ignore_errors=True)  # another version's
            folder.mkdir(parents=True)
        return folder

    def forget(self) -> None:
        """Start over: the next build renders everything (build --clean)."""
        self.stamp, self.next_change, self.output, self.theme, self.outputs, self.warnings, self.files = "", None, "", "", {}, (), 0
        self.paths, self.indexed, self.shards = frozenset(), frozenset(), {}
        self.markup, self.markup_written, self.source_stats = {}, {}, {}
        self.qr_codes, self.qr_dirty = {}, True
        self.documents, self.items, self.slugs, self.parsed_loaded = {}, {}, {}, ({}, {}, {})

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _write(self.folder / _STATE_FILE, {"format": _FORMAT, "stamp": self.stamp, "next_change": self.next_change,
                                            "output": self.output, "theme": self.theme, "outputs": self.outputs, "warnings": self.warnings,
                                            "files": self.files, "paths": self.paths, "source_stats": self.source_stats,
                                            "indexed": self.indexed, "shards": self.shards})
        if self.markup is not None:
            # Only the buckets with an entry added, replaced or gone: after a one-article edit at 10,000 items, 2 MB of 37.
            changed = _changed_buckets(self.markup, self.markup_written)
            if changed:
                (self.folder / _MARKUP_FOLDER).mkdir(exist_ok=True)
                (self.folder / "markup.pickle").unlink(missing_ok=True)  # the one file earlier versions kept it in
            for number, entries in _in_buckets(self.markup, changed).items():
                _write(self._bucket_file(_MARKUP_FOLDER, number), {"format": _FORMAT, "entries": entries})
            self.markup_written = dict(self.markup)
        if self.qr_dirty and self.qr_codes is not None:
            _write(self.folder / _QR_FILE, {"format": _FORMAT, "entries": self.qr_codes})
            self.qr_dirty = False


def _bucket(key: str) -> int:
    """The bucket an entry is kept in (a parsed document by its path, a body by its markup key): it stays there."""
    return zlib.crc32(key.encode("utf-8")) % _BUCKETS


def _changed_buckets(entries: Mapping[str, object], written: Mapping[str, object], key_of: Callable[[str], str] = str) -> set[int]:
    """The buckets holding an entry added, replaced or gone since `written` (an unchanged entry is the same object)."""
    return {_bucket(key_of(key)) for key in entries.keys() | written.keys() if entries.get(key) is not written.get(key)}


def _in_buckets(entries: Mapping[str, T], numbers: Set[int]) -> dict[int, dict[str, T]]:
    """The entries of the buckets `numbers`, by bucket (each of them, even one that holds none now)."""
    buckets: dict[int, dict[str, T]] = {number: {} for number in numbers}
    for key, entry in entries.items():
        if (number := _bucket(key)) in buckets:
            buckets[number][key] = entry
    return buckets


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """fedpress's own code: a changed generator may render anything differently (versions alone miss
    changes made between releases)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_stamp(options: BuildOptions, theme: Path) -> str:
    """A digest of the size and mtime of every file a build reads, and of the build options."""
    root = options.site.resolve()
    digest = hashlib.blake2b(repr((options.drafts, options.future, str(options.output_dir), __version__)).encode(), digest_size=16)
    _stamp_file(digest, root / CONFIG_FILE)
    # The site's themes/ too: a theme folder made there replaces the shipped theme of the same name.
    for folder in (root / "content", root / "templates", root / "static", root / "themes", theme, _PACKAGE):
        for entry in _walk(folder):
            digest.update(f"{entry.path}\0{entry.stat().st_size}\0{entry.stat().st_mtime_ns}\n".encode())
    return digest.hexdigest()


def next_schedule_change(library: Library) -> float | None:
    """The first moment a built page would change by itself: a future item is due, an item expires."""
    moments = [i.date.timestamp() for i in library.unbuilt.values() if i.status == "future" and i.date]
    moments += [i.expires.timestamp() for i in library.listed if i.expires]
    return min(moments, default=None)


def markup_key(item: Item, settings: tuple) -> str:
    """What an item's HTML depends on besides the sources it links to (see `markup_is_current`)."""
    return hashlib.blake2b(repr((item.source.digest, item.type, item.status, settings)).encode(), digest_size=16).hexdigest()


def markup_is_current(rendered: Rendered, library: Library) -> bool:
    """A cached body is current while every source it links to keeps its URL and publication state."""
    return all(link_state(library, target) == state for target, state in rendered.links)


def fingerprint(template: str, values: Mapping[str, object], site_wide: str) -> str:
    """A digest of everything an output shows, as far as the default theme's templates go."""
    tokens: list[str] = [site_wide, template]
    _tokens(values, tokens)
    return hashlib.blake2b("\x1f".join(tokens).encode(), digest_size=16).hexdigest()


def fingerprints(jobs: Sequence[OutputJob], site_wide: str) -> dict[str, str]:
    """The fingerprint of every rendered job, by output path. A Traditional twin's job is mostly its
    Simplified page's job under another path and variant: its fingerprint is then made from that
    page's, rather than by flattening the same values again, which took half the time of all the
    fingerprints."""
    twins = twins_of(jobs)
    twin_paths = {twin.path for _, twin in twins}
    prints = {job.path: fingerprint(job.template, {"job": job}, site_wide) for job in jobs if job.template and job.path not in twin_paths}
    for page, twin in twins:
        prints[twin.path] = hashlib.blake2b(f"{prints[page.path]}\x1f{twin.path}\x1f{twin.variant!r}".encode(), digest_size=16).hexdigest()
    return prints


def site_wide_digest(config_text: bytes, library: Library, extra: Iterable[str]) -> str:
    """What every page shows or is made with: config, navigation, footer pages, tag URLs, theme."""
    digest = hashlib.blake2b(config_text, digest_size=16)
    digest.update(repr([(p.title, p.url) for p in library.pages]).encode())
    digest.update(repr([(t.name, t.slug) for t in library.tags]).encode())
    for part in extra:
        digest.update(part.encode())
    return digest.hexdigest()


def _tokens(value: object, out: list[str]) -> None:
    """Flatten a job's values into strings; items and bodies stand for themselves by their digests."""
    if value is None or isinstance(value, (str, int, float, bool)):
        out.append(repr(value))
    elif isinstance(value, Item):
        out.append(f"I{value.source.digest}{value.url}{value.status}")
    elif isinstance(value, Rendered):
        out.append(f"R{value.digest}")
    elif isinstance(value, Tag):  # its page shows a slice of its items, which the job lists itself
        out.append(f"T{value.name}{value.slug}{len(value.items)}")
    elif isinstance(value, Mapping):
        for key in sorted(value, key=str):
            out.append(f"K{key}")
            _tokens(value[key], out)
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for element in value:
            _tokens(element, out)
        out.append("]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(type(value).__name__)
        for name in _field_names(type(value)):
            _tokens(getattr(value, name), out)
    else:
        out.append(repr(value))


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def _walk(folder: Path):
    if not folder.is_dir():
        return
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in ("__pycache__",):
                        stack.append(entry.path)
                else:
                    yield entry


def _stamp_file(digest: hashlib.blake2b, path: Path) -> None:
    try:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    except OSError:
        digest.update(f"{path}\0missing\n".encode())


def _read(path: Path) -> dict | None:
    """What `_write` wrote."""
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, KeyError):
        return None  # no cache, or one from another version: build without it


def _read_entries(path: Path) -> dict:
    stored = _read(path)
    return stored["entries"] if stored and stored.get("format") == _FORMAT else {}


def _write(path: Path, data: dict) -> None:
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as file:
        pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
