"""Rendered pages -> the site search index, built by Pagefind.

Pagefind reads HTML files from a folder, so the pages it indexes (those marked
`data-pagefind-body`: published items and standalone pages) are written to a temporary
folder and indexed there; Pagefind writes its bundle into the build's
staging folder. So the index goes into the output with the pages, in the same atomic swap;
a failed indexing leaves the previous output untouched; and since Pagefind names its
files after their content, an unchanged site gives byte-identical index files that
the writer leaves alone.

One index serves both scripts: Pagefind reads the Simplified pages alone (pagefind/). The
search pages also look a query up in Simplified characters (pagefind/traditional.json, OpenCC's
reverse profile character by character), and the Traditional one shows each result from the
Traditional text of its page (zh-hant/pagefind/text/…json): title, category and an excerpt
marked at the same words, since the Traditional text is the Simplified one converted character
for character. A reader finds the same items with a query in either script, and a Traditional
index, which took as long to make as the Simplified one, is not made at all.

The index is made in shards of whole years (pagefind/2019/, pagefind/2024/ …, listed
in pagefind/shards.json), each by a Pagefind run of its own, and the search page merges them
(Pagefind's mergeIndex). Pagefind cannot update an index, but a rebuild makes again only the
shards whose pages changed: an edited article costs the indexing of its years, not of the
whole site; and a shard whose pages all changed, but not the copies Pagefind reads of them
(a template edit to the header or footer, which Pagefind ignores), is not made again either.
Pagefind's time and memory also grow faster than the pages it indexes at once (at 10,000
pages, 2.7 GB), and shards keep every run small.

Chinese is indexed character by character. Pagefind's extended binary segments Chinese
into dictionary words (jieba), and a word is only found whole or by its beginning: the
sample site has 妇联 in 51 items, but 25 of them only inside words such as 市妇联 or
全市妇联, where a search for 妇联 never finds them; Traditional text, which the dictionary
does not know, is cut into odd pieces (巾幗志願者 found in 3 of 14 items). So the copies
Pagefind reads have a space between every Han character and its neighbours, and the
search page looks up each Chinese word as an exact phrase of characters
(static/js/search.js does the same to the query): every item containing the word is
found (on the Traditional search page too, its query in Simplified characters). The readable title and metadata come from the hidden block of
`data-pagefind-meta` elements, which is left as written. The index is filed under the
language "und", so Pagefind does not run its segmenter over the split text (it would only
triple the indexing time: 18 s instead of 6 s for a 1,000-item site, when each script had an index).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import re
import struct
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .config import SiteConfig
from .errors import Problems
from .hant import HAN_RANGES, attribute_value, element_name, element_tokens, is_tag, markup_tokens
from .parallel import parallel_map
from .plan import OutputJob, site_variants
from .writer import files_under

BUNDLE = "pagefind/"
# The pages Pagefind reads are split into characters already: filed under "und" (undetermined), the index
# is neither segmented again nor stemmed. The search page loads it whatever its own <html lang> says,
# since it is the bundle's only language.
INDEX_LANGUAGE = "und"
INDEXED_MARK = b"data-pagefind-body"
SHARDS_FILE = "shards.json"
QUERY_CHARACTERS = f"{BUNDLE}traditional.json"  # Traditional character -> Simplified, for the search pages' queries
TEXTS = f"{BUNDLE}text/"  # under the Traditional prefix: each indexed page's Traditional text, for its results
# A shard takes whole years until it holds this many pages. Fewer pages a shard, less to index again
# after an edit; more shards, more for one query to fetch (its part of the index in each shard). A site
# of 1,000 items has one shard; of 10,000 items over nine years, five: an edit there indexes 2,300 pages
# again (the full site's rebuild took 10 s instead of 42 s, when each script had an index), and a query
# fetches 1.3 to 1.9 times the bytes one index would need (with one shard a year: 6.6 s, but 2 to 3.3 times the bytes).
SHARD_PAGES = 2000
# Pagefind's ready-made interfaces: fedpress's theme has its own (static/js/search.js), so these stay out.
_UNUSED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")
_TIMEOUT = 900  # seconds; a 1,000-item site takes a few
_COMMAND_OPTIONS = ("--force-language", INDEX_LANGUAGE, "--quiet")
_HAN_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in HAN_RANGES)
_HAN_CHARACTER = re.compile(f"([{_HAN_CLASS}])")  # split() keeps each as a piece
_WHITESPACE = re.compile(r"(\s+)")  # split() keeps each run as a piece
_SHOWN_META = frozenset({"title", "category", "type", "image_alt"})  # what of a record's metadata the Traditional page shows converted
_MARK = "\ue001"  # a private-use character, in place of one converted two ways on a page (`_traditional_content`)
_IGNORED = "data-pagefind-ignore"
_INDEXED_TEXT = INDEXED_MARK.decode("ascii")
_SEARCH_FACT = re.compile(r"\sdata-pagefind-(?:meta|filter)=")
_SEARCH_FACT_START = "data-pagefind-"  # a test in C first: few tags have it
_SKELETON = re.compile(r"</?(?:html|head|body)[\s/>]", re.I)  # tags kept around the indexed elements: Pagefind reads no page without <html>
# What Pagefind takes from anywhere on a page (in lower case): what is marked as a result's metadata, filter or
# sort key, an element marked for indexing however it is written, and the <h1> and <img> its default title and
# image come from; after the indexed elements, also a first <title>.
_READ_OUTSIDE = re.compile(r"data-pagefind-(?:meta|filter|sort|default-meta|body)|<(?:h1|img)[\s/>]")
_READ_BEHIND = re.compile(_READ_OUTSIDE.pattern + r"|<title[\s/>]")


class SearchUnavailable(Exception):
    """The Pagefind binary is not installed."""


def pagefind_binary() -> Path:
    """The Pagefind binary of the `pagefind[extended]` package, at the version pinned in pyproject.toml."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as exc:
        raise SearchUnavailable("没有安装 Pagefind 扩展版。请在虚拟环境中运行 pip install -e .（或 pip install 'pagefind[extended]'）后重试。") from exc
    return get_executable()


@dataclass(frozen=True)
class Shard:
    """A part of the index: the indexed Simplified pages of whole years, made by one Pagefind run into a
    folder of its own, with the Traditional texts of its pages. A rebuild makes again only the shards
    whose pages changed; the search page merges them all (static/js/search.js)."""

    name: str  # its first year, or "pages" for one of undated pages alone
    pages: tuple[str, ...]  # the output paths of its pages, sorted

    @property
    def folder(self) -> str:
        """Its bundle's output path, e.g. "pagefind/2019/"."""
        return f"{BUNDLE}{self.name}/"


class Bundle(NamedTuple):
    """A shard's bundle as a build left it."""

    copies_digest: str  # of the copies of its pages that Pagefind read, and of how it ran (`index_recipe`)
    files: tuple[str, ...]  # the output paths of its files
    made: bool  # made by this build (its files are in the staging folder), not kept from the last
    texts: tuple[str, ...] = ()  # the output paths of the Traditional texts of its pages, if made by this build


def index_year(job: OutputJob) -> int | None:
    """The year whose shard an indexed page belongs to: its item's date; None for an undated page."""
    item = job.values.get("item")
    date = getattr(item, "date", None)
    return date.year if date else None


def plan_shards(pages: Mapping[str, int | None], config: SiteConfig) -> list[Shard]:
    """The shards of the index. `pages`: the output path of every page marked for indexing -> its year;
    the Simplified ones are indexed (their Traditional twins are shown from texts made of them).

    The years, oldest first (undated pages before them), are taken into a shard until it holds
    SHARD_PAGES pages; the next year starts the next shard, named after its first year. New items
    join the newest shard, so the older shards keep their pages and are not made again; a small
    site has one shard."""
    twin_prefixes = tuple(variant.prefix for variant in site_variants(config)[1:])
    by_year: dict[int | None, list[str]] = {}
    for path, year in pages.items():
        if not path.startswith(twin_prefixes):
            by_year.setdefault(year, []).append(path)
    shards = []
    group: list[str] = []
    years: list[int] = []
    for year in sorted(by_year, key=lambda y: -1 if y is None else y):
        group += by_year[year]
        years += [year] if year is not None else []
        if len(group) >= SHARD_PAGES:
            shards.append(_shard(years, group))
            group, years = [], []
    if group:
        shards.append(_shard(years, group))
    return shards


def _shard(years: list[int], pages: list[str]) -> Shard:
    return Shard(str(years[0]) if years else "pages", tuple(sorted(pages)))


def shard_lists(shards: Sequence[Shard]) -> dict[str, bytes]:
    """The list of the index's shards (pagefind/shards.json), which the search page reads: output path -> content."""
    names = [f"{shard.name}/" for shard in shards]
    return {f"{BUNDLE}{SHARDS_FILE}": json.dumps({"shards": names}, ensure_ascii=False).encode("utf-8")} if names else {}


@dataclass(frozen=True)
class TwinTexts:
    """How the Traditional search page gets its results' texts: the twins' prefix and the conversion."""

    prefix: str  # "zh-hant/"
    convert: Callable[[list[str]], list[str]]  # Simplified texts -> Traditional, as their pages are converted
    identity: str  # what decides the conversion and the texts (the converter's and fedpress's code): a change makes every text again
    last_output: Path | None = None  # the last build's output: a text made there from the same record the same way stands

    @functools.cached_property
    def identity_digest(self) -> str:
        return hashlib.blake2b(self.identity.encode("utf-8"), digest_size=6).hexdigest()


def query_characters(table: Mapping[str, str]) -> bytes:
    """The search pages' table for queries (QUERY_CHARACTERS): Traditional characters and, at the same
    places, the Simplified ones they are looked up as."""
    ordered = sorted(table.items())
    return json.dumps({"traditional": "".join(t for t, _ in ordered), "simplified": "".join(s for _, s in ordered)},
                      ensure_ascii=False).encode("utf-8")


def build_search_index(shards: Sequence[Shard], pages: Mapping[str, Path], problems: Problems, into: Path, recipe: str, workers: int = 1,
                       made_before: Callable[[Shard, str], tuple[str, ...] | None] = lambda shard, digest: None,
                       twin_texts: TwinTexts | None = None) -> dict[str, Bundle]:
    """The bundle of each of `shards`, by folder, made in the folder `into` (the build's staging folder)
    the way `recipe` (`index_recipe`) says, with the Traditional texts of its pages when `twin_texts` says
    how (those of a bundle kept are the caller's: `twin_texts_or_problem`). Problems are reported, not raised.
    `pages`: each page of the shards -> the file holding it.

    `made_before(shard, copies_digest)`: the files of the bundle the last build made of this shard from
    the same copies, by the same Pagefind run the same way, if they stand; Pagefind is not run for it
    again. It reads nothing but the copies, so it would make the same bundle: a change to what it
    leaves aside (a header, a footer) costs the copies, not the index."""
    try:
        binary = pagefind_binary()
    except (SearchUnavailable, FileNotFoundError) as exc:
        problems.error("站内搜索", 0, "", str(exc))
        return {}
    # The copies Pagefind reads are scratch: in memory (/dev/shm) where the system offers it.
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="fedpress-search-", dir=scratch) as folder:
        copies = {shard.folder: Path(folder) / f"shard-{number}" for number, shard in enumerate(shards)}
        jobs = {rel: (pages[rel], copies[shard.folder] / rel) for shard in shards for rel in shard.pages}
        # Pagefind numbers pages in the order it finds the files, which is the order they were created
        # in: they are created here, in path order, and filled by the workers.
        for _, copy in jobs.values():
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.touch()
        digests = dict(zip(jobs, parallel_map(lambda job: _copy_for_index(*job), list(jobs.values()), workers), strict=True))
        made_of = {shard.folder: _digest_of_copies(recipe.encode("ascii"), shard.pages, digests) for shard in shards}
        kept = {shard.folder: files for shard in shards if (files := made_before(shard, made_of[shard.folder])) is not None}
        todo = [shard for shard in shards if shard.folder not in kept]
        # Each shard is made by a Pagefind process of its own, `workers` at a time, largest first: one
        # keeps about 1.4 cores busy. Pagefind writes the bundle where it goes: copying it there from a
        # scratch folder, file by file, kept the main process busy for a second at 1,000 items. Each bundle
        # is finished here (with its Traditional texts) as soon as it is made, while Pagefind makes the others.
        made: dict[str, Bundle] = {}
        with ThreadPoolExecutor(max(1, min(workers, len(todo)))) as pool:
            runs = {pool.submit(_run_pagefind, binary, copies[shard.folder], into / shard.folder): shard
                    for shard in sorted(todo, key=lambda shard: -len(shard.pages))}
            for run in as_completed(runs):
                shard = runs[run]
                if problems.errors:  # another shard failed: the build stops, and this one is not finished
                    continue
                files = _finished_bundle(shard, into, run.result(), problems)
                texts = twin_texts_or_problem(into / shard.folder, into, twin_texts, problems) if twin_texts and files is not None else ()
                if files is not None and texts is not None:
                    made[shard.folder] = Bundle(made_of[shard.folder], files, True, texts)
    if problems.errors:
        return {}
    return {folder: Bundle(made_of[folder], files, False) for folder, files in kept.items()} | made


def twin_texts_or_problem(bundle: Path, into: Path, twin_texts: TwinTexts, problems: Problems) -> tuple[str, ...] | None:
    """`write_twin_texts`, or None with the problem reported."""
    try:
        return write_twin_texts(bundle, into, twin_texts)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.error("站内搜索", 0, "", f"生成繁体站内搜索结果的文字失败（{exc}）。网站没有更新；请把以上信息告诉网站维护人员。")
        return None


def write_twin_texts(bundle: Path, into: Path, twin_texts: TwinTexts) -> tuple[str, ...]:
    """Write the Traditional text of each page in a bundle (TEXTS, under the twins' prefix) from what Pagefind
    keeps of it (its fragment): its metadata converted, and its text converted character for character, so
    that Pagefind's word positions fit it (null if the conversion changed its length: no excerpt is shown).
    A text is converted without its whitespace (the copies' spaces would part every phrase), all of them
    in one OpenCC call. Each names the record it was made from (Pagefind names a record after its content)
    and the conversion: a text the last build made from the same is kept, not made again (an edit to one
    article makes its shard again, but converts one text). The output paths of the bundle's texts."""
    fragments = {path.stem: json.loads(_read_signed(path)) for path in sorted((bundle / "fragment").glob("*.pf_fragment"))}
    paths = {name: f"{twin_texts.prefix}{TEXTS}{fragment['url'].strip('/') or 'index'}.json" for name, fragment in fragments.items()}
    openings = {name: f'{{"made_from":"{name}:{twin_texts.identity_digest}",'.encode() for name in fragments}
    todo = [name for name in fragments if not _begins_with(twin_texts.last_output, paths[name], openings[name])]
    metas = [sorted((key, value) for key, value in fragments[name]["meta"].items() if key in _SHOWN_META) for name in todo]
    solid = ["".join(fragments[name]["content"].split()) for name in todo]
    converted = iter(twin_texts.convert([str(value) for meta in metas for _, value in meta] + solid))
    converted_metas = [{key: next(converted) for key, _ in meta} for meta in metas]
    for name, meta, simplified in zip(todo, converted_metas, solid, strict=True):
        content = json.dumps({"meta": meta, "content": _traditional_content(fragments[name]["content"], simplified, next(converted))},
                             ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        (into / paths[name]).parent.mkdir(parents=True, exist_ok=True)
        (into / paths[name]).write_bytes(openings[name] + content[1:])
    return tuple(paths.values())


def _begins_with(folder: Path | None, rel: str, opening: bytes) -> bool:
    """Whether the file `rel` in `folder` begins with `opening`."""
    if folder is None:
        return False
    try:
        with (folder / rel).open("rb") as file:
            return file.read(len(opening)) == opening
    except OSError:
        return False


def _traditional_content(content: str, simplified: str, traditional: str) -> str | None:
    """`content` with each character replaced by the one at its place in `traditional`, the conversion of
    `simplified` (`content` without whitespace); None if the conversion changed its length.
    A table of the page's characters translates `content` in C, ten times faster than cutting
    `traditional` into its places; a character converted two ways on the page (发 to 發 and to 髮)
    becomes a mark there, and each mark takes the character of its own place."""
    if len(simplified) != len(traditional):
        return None
    pairs = set(zip(simplified, traditional, strict=True))
    table = dict(pairs)
    twofold = "".join(sorted({s for s, t in pairs if table[s] != t}))
    if not twofold:
        return content.translate(str.maketrans(table))
    if _MARK in content:
        return _in_places_of(_WHITESPACE.split(content), traditional)
    table.update(dict.fromkeys(twofold, _MARK))
    pieces = content.translate(str.maketrans(table)).split(_MARK)
    values = [traditional[found.start()] for found in re.finditer(f"[{re.escape(twofold)}]", simplified)]
    joined = [""] * (2 * len(pieces) - 1)
    joined[::2], joined[1::2] = pieces, values
    return "".join(joined)


def _in_places_of(parts: list[str], text: str) -> str | None:
    """`text` cut as the texts of `parts` (text, whitespace, text …) and joined with their whitespace;
    None if it is not as long as they are."""
    lengths = [len(part) for part in parts[::2]]
    if sum(lengths) != len(text):
        return None
    pieces, at = [], 0
    for index, part in enumerate(parts):
        if index % 2:
            pieces.append(part)
        else:
            pieces.append(text[at:at + len(part)])
            at += len(part)
    return "".join(pieces)


def _finished_bundle(shard: Shard, into: Path, error: str, problems: Problems) -> tuple[str, ...] | None:
    """The output paths of the files of the bundle Pagefind made for `shard`, its filters put in order
    and its ready-made interfaces left out; None, with the problem reported, if it failed."""
    bundle = into / shard.folder
    if error:
        problems.error("站内搜索", 0, "", f"生成站内搜索索引失败：{error}。"
                       "网站没有更新；请检查 Pagefind 是否安装完整（pip install -e .），或把以上信息告诉网站维护人员。")
        return None
    try:
        _sort_filters(bundle)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        problems.error("站内搜索", 0, "", f"整理站内搜索索引失败（{exc}）："
                       "Pagefind 的版本可能与 fedpress 不匹配，请运行 pip install -e . 安装指定的版本。")
        return None
    kept = []
    for rel in files_under(bundle):
        if rel.rpartition("/")[2].startswith(_UNUSED):
            (bundle / rel).unlink()
        else:
            kept.append(shard.folder + rel)
    return tuple(kept)


def index_recipe() -> str:
    """The digest of what besides the pages decides every bundle: how Pagefind runs (`_recipe`). A shard
    made another way does not stand (after an upgrade of Pagefind or of this module, the index is made again)."""
    try:
        binary = pagefind_binary()
    except (SearchUnavailable, FileNotFoundError):
        binary = Path("missing")  # building the index says so
    return hashlib.blake2b(_recipe(binary), digest_size=16).hexdigest()


def _recipe(binary: Path) -> bytes:
    """What besides the copies decides the bundles: the Pagefind binary (by size and time: a reinstall
    changes them), its options and this module's own code (which runs it and puts its files in order)."""
    try:
        status = binary.stat()
        identity = f"{status.st_size}:{status.st_mtime_ns}"
    except OSError:
        identity = "missing"  # running it says so
    return f"{identity}:{_COMMAND_OPTIONS}:".encode() + hashlib.blake2b(Path(__file__).read_bytes()).digest()


def _digest_of_copies(recipe: bytes, pages: Sequence[str], digests: Mapping[str, bytes]) -> str:
    """The digest of a shard's bundle-to-be: the recipe, and its pages' paths and the digests of their copies, in order."""
    whole = hashlib.blake2b(recipe, digest_size=16)
    for page in pages:
        whole.update(page.encode("utf-8") + b"\0" + digests[page])
    return whole.hexdigest()


def _copy_for_index(page: Path, copy: Path) -> bytes:
    """Fill in the copy Pagefind reads of a page; the digest of its bytes."""
    content = spaced_for_index(page.read_text(encoding="utf-8")).encode("utf-8")
    copy.write_bytes(content)
    return hashlib.blake2b(content, digest_size=16).digest()


def _run_pagefind(binary: Path, site: Path, output: Path) -> str:
    """Run Pagefind on `site`, writing its bundle to `output`; '' on success, else what went wrong."""
    command = [str(binary), "--site", str(site), "--output-path", str(output), *_COMMAND_OPTIONS]
    # Pagefind also takes options from a pagefind.yml in its working folder and from PAGEFIND_ variables:
    # it runs in the folder of the copies, without them, so nothing but the command decides.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, check=False, cwd=site, env=environment)
    except OSError as exc:
        return f"无法运行 {binary}（{exc.strerror or exc}）"
    except subprocess.TimeoutExpired:
        return f"Pagefind 运行超过 {_TIMEOUT} 秒仍未结束"
    if result.returncode != 0:
        detail = " ".join((result.stderr or result.stdout).split())[-500:]
        return f"Pagefind 退出码 {result.returncode}：{detail or '没有输出'}"
    if not (output / "pagefind-entry.json").is_file():
        return "Pagefind 没有生成 pagefind-entry.json"
    return ""


def spaced_for_index(page: str) -> str:
    """The page as Pagefind should read it: a space on each side of every Han character in the text,
    except in the elements that give a result's title, metadata and filters; without the elements
    Pagefind ignores whole (data-pagefind-ignore="all": their text, metadata and filters), nor what
    comes before and after the indexed elements but the page's <title> (`_leave_out_outside_bodies`).

    A text that begins with a Han character starts with a space, so the character is not joined to
    the end of the text before it: Pagefind reads 详见<a>相关政策</a> as one text, and 见相 would be a
    word that neither 详见 nor 相关 finds. Pagefind takes any run of whitespace as one space, so the
    doubled spaces this leaves change nothing in the index.

    Leaving these out (on an article page the header, share links, related items and footer: half
    the page) changes nothing Pagefind makes, but a change to them no longer changes the copy: the
    shard need not be made again (`build_search_index`)."""
    tokens = markup_tokens(page)
    for index in [i for i in range(1, len(tokens), 2) if _IGNORED in tokens[i]]:
        if tokens[index] and attribute_value(tokens[index], _IGNORED) == "all":  # (blank: inside one left out)
            extent = element_tokens(tokens, index)
            # An element that ends where it begins (a void one, or <div .../>, which HTML reads as opened)
            # or never ends is left for Pagefind to make out.
            if len(extent) > 1 and extent.stop < len(tokens):
                tokens[extent.start:extent.stop] = [""] * len(extent)
    _leave_out_outside_bodies(tokens)
    for index in [i for i in range(0, len(tokens), 2) if not tokens[i].isascii()]:
        before = tokens[index - 1] if index else ""
        if not (_SEARCH_FACT_START in before and _SEARCH_FACT.search(before) and before[1] != "/"):
            tokens[index] = _spaced(tokens[index])
    return "".join(tokens)


def _leave_out_outside_bodies(tokens: list[str]) -> None:
    """Blank what comes before the first indexed element and after the last one ends, where Pagefind
    indexes no text: the head's scripts and styles, the header and footer (40 % of an article page),
    all but the page's first <title> and its <html>, <head> and <body> tags. Pagefind reads less, and
    a template edit there changes no copy. If something there is what Pagefind takes from anywhere on
    a page (a result's metadata, filter or sort key, another indexed element written otherwise, or
    what it makes the default title and image of: an <h1>, an <img>, a first <title> after the
    indexed elements), only the whitespace is blanked. An element ends at the latest at the last
    closing tag of its kind: found from the end, in a few steps."""
    starts = [i for i in range(1, len(tokens), 2) if _INDEXED_TEXT in tokens[i] and attribute_value(tokens[i], _INDEXED_TEXT) is not None]
    if not starts:
        return
    first, after = starts[0], max(_last_closing(tokens, name, starts[-1]) for name in {element_name(tokens[i]) for i in starts}) + 1
    title = next((i for i in range(1, first, 2) if tokens[i][:6].lower() == "<title" and element_name(tokens[i]) == "title"), None)
    before, behind = [*range(1, first, 2)], [*range(after + 1, len(tokens), 2)]
    if _read_there([tokens[i] for i in before], _READ_OUTSIDE) or _read_there([tokens[i] for i in behind], _READ_BEHIND if title is None else _READ_OUTSIDE):
        for index in [*range(0, first, 2), *range(after, len(tokens), 2)]:
            if tokens[index].isspace():
                tokens[index] = ""
        return
    kept = {i: tokens[i] for i in (*before, *behind) if _SKELETON.match(tokens[i])}
    if title is not None:
        kept |= {i: tokens[i] for i in element_tokens(tokens, title)}
    tokens[:first] = [""] * first
    tokens[after:] = [""] * (len(tokens) - after)
    for index, token in kept.items():
        tokens[index] = token


def _last_closing(tokens: list[str], name: str, start: int) -> int:
    """The index of the last closing tag of `name` after `start`; the last token if there is none."""
    closing = "</" + name
    return next((i for i in range(len(tokens) - 2, start, -2) if tokens[i][:len(closing)].lower() == closing), len(tokens) - 1)


def _read_there(markup: list[str], pattern: re.Pattern[str]) -> bool:
    """Whether Pagefind may take something from these markup tokens (comments and raw-text elements,
    such as a script's text, are not tags); one search of them all first."""
    return bool(pattern.search("".join(markup).lower())) and any(pattern.search(m.lower()) for m in markup if is_tag(m))


@functools.cache
def _spaced_bmp() -> dict[int, str]:
    """The translation table of `_spaced`, made when first needed (28,000 characters: 10 ms)."""
    return {code: f" {chr(code)} " for first, last in HAN_RANGES if last <= 0xFFFF for code in range(first, last + 1)}


def _spaced(text: str) -> str:
    """`text` with spaces around every Han character (two between neighbours, which Pagefind reads as
    one), but none after the last: at the end of a heading Pagefind then ends the sentence with a full
    stop in its excerpts, as it does with the text as written. In the Basic Multilingual Plane a table
    translates each character in C, in half the time of splitting the text at them."""
    if max(text) <= "\uffff":
        spaced = text.translate(_spaced_bmp())
        return spaced[:-1] if spaced[-1] == " " and text[-1] != " " else spaced
    pieces = _HAN_CHARACTER.split(text)  # [text, Han, text, Han, ...]; no empty texts between neighbours
    return ("" if pieces[0] else " ") + " ".join(filter(None, pieces))


# Pagefind writes the values of each filter (category, year) in the order of a Rust hash map, which
# changes from run to run, and lists the filters in such an order too; everything else it writes is the same for the same pages. So the filter
# files are rewritten with their values sorted and named after their content, and the two files that
# name them (the language's .pf_meta and pagefind-entry.json) follow. The formats are Pagefind 1.5's:
# gzip of b"pagefind_dcd" + CBOR.
_SIGNATURE = b"pagefind_dcd"


def _sort_filters(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_pagefind(meta_path)
        for listed in meta[3]:  # [filter name, file hash]
            old = bundle / "filter" / f"{listed[1]}.pf_filter"
            name, values = _read_pagefind(old)
            listed[1] = _write_pagefind(bundle / "filter", language, 7, ".pf_filter", [name, sorted(values, key=lambda v: v[0])])
            old.unlink()
        meta[3].sort()  # the filters themselves are listed in hash-map order too
        meta_path.unlink()
        info["hash"] = _write_pagefind(bundle, f"pagefind.{language}", 13, ".pf_meta", meta)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _read_signed(path: Path) -> bytes:
    """A Pagefind file's content after its signature."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path.name} 不是 Pagefind 1.5 的格式")
    return data[len(_SIGNATURE):]


def _read_pagefind(path: Path) -> list:
    data = _read_signed(path)
    value, end = _cbor_decode(data, 0)
    if end != len(data):
        raise ValueError(f"{path.name} 的内容无法完整读取")
    return value


def _write_pagefind(folder: Path, stem: str, digits: int, suffix: str, value: object) -> str:
    """Write `value` in Pagefind's format to a file named after its content; returns the name's hash part."""
    data = gzip.compress(_SIGNATURE + _cbor_encode(value), mtime=0)
    digest = hashlib.sha256(data).hexdigest()[:digits]
    language = stem.removeprefix("pagefind.")
    (folder / f"{stem}_{digest}{suffix}").write_bytes(data)
    return f"{language}_{digest}"


def _cbor_decode(data: bytes, at: int) -> tuple[object, int]:
    """The CBOR that Pagefind writes: integers, strings, byte strings, arrays, maps, true/false/null."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        length = info
    elif info <= 27:
        size = 1 << (info - 24)
        length = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError("不支持的 CBOR 长度")
    if major == 0:
        return length, at
    if major == 1:
        return -1 - length, at
    if major in (2, 3):
        chunk = data[at:at + length]
        return (chunk if major == 2 else chunk.decode("utf-8")), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(length):
            key, at = _cbor_decode(data, at)
            mapping[key], at = _cbor_decode(data, at)
        return mapping, at
    if major == 7 and length in (20, 21, 22):
        return {20: False, 21: True, 22: None}[length], at
    raise ValueError("不支持的 CBOR 类型")


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size, code in ((24, 1, ">B"), (25, 2, ">H"), (26, 4, ">I"), (27, 8, ">Q")):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + struct.pack(code, length)
    raise ValueError("CBOR 数值过大")


def _cbor_encode(value: object) -> bytes:
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _cbor_head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(item) for item in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value.items())
    raise ValueError(f"不支持的值 {value!r}")
