"""The build, stage by stage: config -> sources -> documents -> library -> markup -> plan -> render -> write.

Each stage reports problems instead of raising; the pipeline stops between stages
when there are errors, so an editor sees every problem of a stage at once and the
previous output is never touched by a failed build.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import load_config
from .errors import BuildFailed, Problems
from .hant import Converter
from .library import Library, Schedule, build_library
from .markup import MarkupRenderer, Rendered
from .plan import plan_site
from .reader import read_document
from .render import render_jobs
from .search import build_search_index
from .sources import find_sources
from .templates import make_environment, static_files
from .writer import WriteReport, write_output


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    output: Path | None = None  # default: <site>/output
    drafts: bool = False
    future: bool = False
    now: datetime | None = None  # reference time for drafts/future/expired; default: the clock
    search: bool = True  # build the search index (Pagefind); `check` needs none

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.site / "output"


@dataclass(frozen=True)
class Compiled:
    library: Library
    bodies: dict[str, Rendered]
    files: dict[str, bytes | Path]
    problems: Problems


@dataclass(frozen=True)
class BuildResult:
    compiled: Compiled
    report: WriteReport


def compile_site(options: BuildOptions) -> Compiled:
    """Everything but writing; raises BuildFailed with every problem if the sources have errors."""
    problems = Problems()
    config = load_config(options.site.resolve(), problems)
    _stop_on_errors(problems)
    sources = find_sources(config.root)
    documents = [doc for s in sources if s.kind != "media" and (doc := read_document(s, problems))]
    now = options.now or datetime.now(config.timezone)
    schedule = Schedule(now=now, drafts=options.drafts, future=options.future)
    library = build_library(config, documents, [s for s in sources if s.kind == "media"], schedule, problems)
    # Markup runs even when some items had errors, so broken links are reported in the same run.
    renderer = MarkupRenderer(library, lambda rel: config.base_path + rel)
    bodies = {item.url: renderer.render(item, problems) for item in (*library.items, *library.pages)}
    static = static_files(config)
    jobs = plan_site(library, bodies, static, problems)
    _stop_on_errors(problems)
    converter = Converter(config.hant) if config.hant else None
    files = render_jobs(make_environment(config, static), jobs, library, bodies, problems, converter)
    _stop_on_errors(problems)
    if options.search:
        files.update(build_search_index(files, config, problems))
        _stop_on_errors(problems)
    return Compiled(library, bodies, files, problems)


def build_site(options: BuildOptions) -> BuildResult:
    compiled = compile_site(options)
    report = write_output(compiled.files, options.output_dir)
    return BuildResult(compiled, report)


def _stop_on_errors(problems: Problems) -> None:
    if problems:
        raise BuildFailed(problems)
