"""The Library -> the list of output jobs: every file the site will contain.

Each job says where it goes, which template renders it and with what values, so
rendering is a plain loop and a duplicate output path is caught before anything
is written. Pagination lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import SiteConfig
from .errors import Problems
from .feeds import feed_paths, published, site_feeds
from .library import Item, Library, Rendered
from .sitemap import sitemap_entries


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str | None  # site-relative; None for the current page


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    base_url: str  # site-relative URL of page 1

    def url(self, number: int) -> str:
        return self.base_url if number == 1 else f"{self.base_url}page/{number}/"

    @property
    def window(self) -> tuple[int | None, ...]:
        """The page numbers to link: first, last and two either side of this one; None marks a gap."""
        shown = sorted({1, self.count, *range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return tuple(numbers)

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None


@dataclass(frozen=True)
class Variant:
    """One script of the site: Simplified at the root, Traditional under zh-hant/."""

    key: str  # "hans" | "hant"
    lang: str  # <html lang>
    hreflang: str  # zh-Hans, or zh-Hant with the profile's region
    prefix: str  # where its pages live, relative to the site root
    label: str  # how a link to this variant reads
    locale: str  # og:locale


SIMPLIFIED = Variant("hans", "zh-CN", "zh-Hans", "", "简体", "zh_CN")


def site_variants(config: SiteConfig) -> tuple[Variant, ...]:
    """The site's scripts: Simplified always, Traditional when the mirror is enabled."""
    hans = replace(SIMPLIFIED, lang=config.language)
    if config.hant is None:
        return (hans,)
    locale = "zh_HK" if config.hant.language.endswith("HK") else "zh_TW"
    return hans, Variant("hant", config.hant.language, config.hant.language, "zh-hant/", "繁體", locale)


@dataclass(frozen=True)
class OutputJob:
    """One output file: rendered from a template, or copied from `copy_from`."""

    path: str  # relative to the output folder, e.g. "gongzuo-dongtai/index.html"
    url: str  # site-relative URL of the page, e.g. "gongzuo-dongtai/"
    origin: str  # what made this job, for messages: a source file or "主题"
    template: str = ""
    title: str = ""
    column: str = ""  # 栏目 name, for breadcrumbs and the ColumnName meta tag
    description: str = ""  # for <meta name="description"> and share cards; default: the site's
    crumbs: tuple[Crumb, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)
    copy_from: Path | None = None
    variant: Variant = SIMPLIFIED


def plan_site(library: Library, bodies: Mapping[str, Rendered], static_files: Mapping[str, Path], problems: Problems) -> list[OutputJob]:
    """All jobs of the site, sorted by path; two jobs with one path is an error naming both."""
    pages = [
        *_home(library),
        *_items(library, bodies),
        *_categories(library),
        *_tags(library),
        *_archives(library),
        *_finding_pages(library),
        _job("404.html", "404.html", "404.html", "找不到页面"),
    ]
    simplified, *others = site_variants(library.config)
    jobs = [
        *(replace(job, variant=simplified) for job in pages),
        *(replace(job, path=variant.prefix + job.path, variant=variant) for variant in others for job in pages),
        *(job for variant in (simplified, *others) for job in _feeds(library, bodies, variant)),
        *_sitemap(library, pages),
        *(OutputJob(f"static/{name}", f"static/{name}", "主题", copy_from=path) for name, path in static_files.items()),
        *(OutputJob(m.url, m.url, m.source.rel, copy_from=m.source.path) for m in library.media),
    ]
    owners: dict[str, OutputJob] = {}
    for job in jobs:
        key = job.path.lower()
        if key in owners:
            problems.error(job.origin, 0, "", f"输出文件 {job.path} 与 {owners[key].origin} 的输出重复，请修改其中一个的网址（slug）或文件名。")
        owners[key] = job
    return sorted(jobs, key=lambda j: j.path)


def twins_of(jobs: Iterable[OutputJob]) -> list[tuple[OutputJob, OutputJob]]:
    """(Simplified page, its Traditional twin) for the pages among `jobs` whose twin is there too.
    A twin is its page's job under another path and variant; a feed's twin is not one (its values are
    its script's own)."""
    jobs = list(jobs)
    pages = {(job.url, job.template): job for job in jobs if job.template and not job.variant.prefix}
    twins = []
    for job in jobs:
        page = pages.get((job.url, job.template)) if job.template and job.variant.prefix else None
        if page is not None and replace(page, path=job.path, variant=job.variant) == job:
            twins.append((page, job))
    return twins


def render_order(jobs: Iterable[OutputJob]) -> list[OutputJob]:
    """The jobs with each twin right after its page, so that both fall in one chunk of work and are
    rendered together (see twins.py)."""
    return sorted(jobs, key=lambda job: (job.path.removeprefix(job.variant.prefix), job.variant.prefix))


def _job(path: str, url: str, template: str, title: str, origin: str = "主题", **kw: object) -> OutputJob:
    return OutputJob(path=path, url=url, origin=origin, template=template, title=title, **kw)


def _page_path(url: str) -> str:
    return f"{url}index.html"


def _home(library: Library) -> list[OutputJob]:
    config = library.config
    blocks = [(c, library.by_category[c.key][:7]) for c in config.categories if c.nav]
    notices = tuple(i for i in library.listed if i.type == "notice")[:8]
    appeals = tuple(i for i in library.listed if i.type == "appeal")[:4]
    headline = next((i for i in library.listed if i.cover), None)
    values = {"blocks": blocks, "notices": notices, "appeals": appeals, "headline": headline, "latest": library.listed[:8]}
    return [_job("index.html", "", "index.html", config.title, values=values)]


def _items(library: Library, bodies: Mapping[str, Rendered]) -> list[OutputJob]:
    jobs = []
    for item in (*library.items, *library.pages):
        crumbs = [Crumb("首页", "")]
        if item.category:
            crumbs.append(Crumb(item.category.name, f"{item.category.key}/"))
        crumbs.append(Crumb("正文", None))
        newer, older = library.neighbours.get(item.url, (None, None))
        values = {"item": item, "body": bodies[item.url], "newer": newer, "older": older}
        column = item.category.name if item.category else item.title
        description = bodies[item.url].summary
        jobs.append(_job(_page_path(item.url), item.url, _template_for(item), item.title, item.source.rel,
                         column=column, crumbs=tuple(crumbs), description=description, values=values))
        if not library.config.print_view:
            continue
        print_url = f"{item.url}print/"
        jobs.append(_job(_page_path(print_url), print_url, "print.html", item.title, item.source.rel,
                         column=column, description=description, values=values))
    return jobs


def _template_for(item: Item) -> str:
    return {"appeal": "appeal.html", "page": "page.html"}.get(item.type, "article.html")


def _paginated(library: Library, items: tuple[Item, ...], base_url: str, template: str, title: str,
               crumbs: tuple[Crumb, ...], values: Mapping[str, object], description: str = "") -> list[OutputJob]:
    per_page = library.config.per_page
    count = max(1, -(-len(items) // per_page))
    jobs = []
    for number in range(1, count + 1):
        pagination = Pagination(number, count, base_url)
        url = pagination.url(number)
        page_title = title if number == 1 else f"{title}（第 {number} 页）"
        page_values = {**values, "entries": items[(number - 1) * per_page: number * per_page], "pagination": pagination}
        jobs.append(_job(_page_path(url), url, template, page_title, column=title, crumbs=crumbs,
                         description=description, values=page_values))
    return jobs


def _categories(library: Library) -> list[OutputJob]:
    jobs = []
    for category in library.config.categories:
        crumbs = (Crumb("首页", ""), Crumb(category.name, None))
        jobs += _paginated(library, library.by_category[category.key], f"{category.key}/", "category.html",
                           category.name, crumbs, {"category": category}, category.description)
    return jobs


def _tags(library: Library) -> list[OutputJob]:
    jobs = [_job("tags/index.html", "tags/", "tags.html", "标签", column="标签",
                 crumbs=(Crumb("首页", ""), Crumb("标签", None)), values={"tags": library.tags})]
    for tag in library.tags:
        crumbs = (Crumb("首页", ""), Crumb("标签", "tags/"), Crumb(tag.name, None))
        jobs += _paginated(library, tag.items, tag.url, "tag.html", f"标签：{tag.name}", crumbs, {"tag": tag})
    return jobs


def _archives(library: Library) -> list[OutputJob]:
    years = {year: len(items) for year, items in library.years.items()}
    jobs = [_job("archives/index.html", "archives/", "archives.html", "往期回顾", column="往期回顾",
                 crumbs=(Crumb("首页", ""), Crumb("往期回顾", None)), values={"years": years})]
    for year, items in library.years.items():
        crumbs = (Crumb("首页", ""), Crumb("往期回顾", "archives/"), Crumb(f"{year} 年", None))
        jobs += _paginated(library, items, f"archives/{year}/", "archive.html", f"{year} 年", crumbs, {"year": year})
    return jobs


def _finding_pages(library: Library) -> list[OutputJob]:
    """The search page and the human site map (网站地图)."""
    years = tuple(library.years)
    search = [
        _job("search/index.html", "search/", "search.html", "站内搜索", column="站内搜索", crumbs=(Crumb("首页", ""), Crumb("站内搜索", None)),
             values={"years": years, "indexed": bool(published(library.listed) or library.pages)}),
    ] if library.config.search else []
    return [
        *search,
        _job("sitemap/index.html", "sitemap/", "sitemap_page.html", "网站地图", column="网站地图",
             crumbs=(Crumb("首页", ""), Crumb("网站地图", None)), values={"years": years, "tags": library.tags}),
    ]


def _feeds(library: Library, bodies: Mapping[str, Rendered], variant: Variant) -> list[OutputJob]:
    """RSS and Atom feeds of one script, rendered per script (the Traditional ones are converted like its pages)."""
    jobs = []
    for category, feed in site_feeds(library, bodies, variant.prefix, variant.lang):
        url = feed_paths(category)[feed.kind]
        jobs.append(_job(variant.prefix + url, url, f"feeds/{feed.kind}.xml", feed.title, column=category.name if category else "",
                         values={"feed": feed}, variant=variant))
    return jobs


def _sitemap(library: Library, pages: list[OutputJob]) -> list[OutputJob]:
    """sitemap.xml and robots.txt, once for the site: the Traditional twins are alternates in the one sitemap."""
    newest = published(library.listed)
    entries = sitemap_entries(pages, newest[0].date if newest else None)
    return [
        _job("sitemap.xml", "sitemap.xml", "sitemap.xml", "网站地图", values={"entries": entries}),
        _job("robots.txt", "robots.txt", "robots.txt", "robots.txt"),
    ]
