"""Documents -> the Library: typed items, categories, tags, archives and every URL.

All URLs are fixed here, before any Markdown is rendered, so links between items
can be resolved and two sources claiming one URL are caught early.
"""

from __future__ import annotations

import functools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import combinations
from pathlib import Path, PurePosixPath

from .config import Category, SiteConfig
from .errors import Problems
from .fields import Field, convert, read_fields
from .parallel import OtherProcess
from .reader import Document
from .sources import CONTENT_DIR, SourceFile

ITEM_TYPES = ("article", "appeal", "notice", "page")
TYPE_NAMES = {"article": "文章", "appeal": "倡议书", "notice": "通知公告", "page": "页面"}
APPEAL_ONLY = ("addressee", "signature", "signed_on")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RELATED_LIMIT = 5  # related items shown under an article

FRONT_MATTER = (
    Field("title", "text", "标题", required=True),
    Field("kicker", "text", "引题"),
    Field("subtitle", "text", "副标题"),
    Field("date", "date", "发布日期"),
    Field("category", "text", "栏目"),
    Field("type", "text", "类型"),
    Field("tags", "list", "标签"),
    Field("source", "text", "来源"),
    Field("source_url", "url", "来源网址"),
    Field("author", "text", "作者"),
    Field("summary", "text", "摘要"),
    Field("cover", "text", "封面图片"),
    Field("slug", "text", "网址名"),
    Field("draft", "bool", "草稿"),
    Field("expires", "date", "截止日期"),
    Field("addressee", "text", "称谓"),
    Field("signature", "text", "落款"),
    Field("signed_on", "date", "成文日期"),
)


@dataclass(frozen=True)
class Media:
    source: SourceFile
    url: str  # site-relative output path, ASCII, e.g. "images/2024/a.png"


@dataclass(frozen=True)
class Item:
    """One article, appeal, notice or standalone page, with its URL fixed."""

    source: SourceFile
    type: str
    title: str
    date: datetime | None
    category: Category | None
    slug: str
    url: str  # site-relative, e.g. "gongzuo-dongtai/2023/minhu-woying/"
    body: str
    body_line: int
    kicker: str = ""
    subtitle: str = ""
    tags: tuple[str, ...] = ()
    source_name: str = ""
    source_url: str = ""
    author: str = ""
    summary: str = ""
    cover: str = ""  # site-relative URL of the cover image
    draft: bool = False
    expires: datetime | None = None
    addressee: str = ""
    signature: str = ""
    signed_on: datetime | None = None
    status: str = "published"  # published | draft | future | expired
    slug_line: int = 1  # where an editor would change the URL: the slug line, else the title

    @property
    def is_page(self) -> bool:
        return self.type == "page"

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.type]


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    items: tuple[Item, ...]

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Rendered:
    """An item's body as HTML, plus what templates and checks need from it."""

    html: str
    toc: str
    summary: str
    text_length: int
    digest: str = ""  # of the HTML: what pages showing this body depend on
    links: tuple[tuple[str, str], ...] = ()  # (content-relative target, its link_state()) for each link in the body


@dataclass(frozen=True)
class Library:
    config: SiteConfig
    items: tuple[Item, ...]  # every built item except pages, newest first
    pages: tuple[Item, ...]
    listed: tuple[Item, ...]  # items that appear in lists: built and not expired
    by_category: dict[str, tuple[Item, ...]]
    tags: tuple[Tag, ...]
    years: dict[int, tuple[Item, ...]]
    media: tuple[Media, ...]
    by_source: dict[str, Item]  # content-relative path -> built item or page
    unbuilt: dict[str, Item]  # drafts and future items left out of this build
    neighbours: dict[str, tuple[Item | None, Item | None]] = field(default_factory=dict)
    related: dict[str, tuple[Item, ...]] = field(default_factory=dict)  # item URL -> related listed items

    def media_url(self, content_rel: str) -> str | None:
        for media in self.media:
            if media.source.content_rel == content_rel:
                return media.url
        return None


def link_state(library: Library, content_rel: str) -> str:
    """What a body depends on about a source it links to: its URL and whether it is published."""
    if not content_rel.endswith(".md"):
        return library.media_url(content_rel) or ""  # "" once the file is gone
    linked = library.by_source.get(content_rel) or library.unbuilt.get(content_rel)
    return f"{linked.url} {linked.status}" if linked else ""


@dataclass(frozen=True)
class Schedule:
    """What this build includes: the reference time and whether drafts/future items are wanted."""

    now: datetime
    drafts: bool = False
    future: bool = False

    def includes(self, status: str) -> bool:
        return status in ("published", "expired") or (status == "draft" and self.drafts) or (status == "future" and self.future)


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """An ASCII URL segment: ASCII text lowercased, Chinese spelled in pinyin, words joined by '-'."""
    if text.isascii():
        words = [text]
    else:
        from pypinyin import lazy_pinyin  # its dictionaries take a fifth of a second to load: only when needed

        words = lazy_pinyin(text, errors=lambda chars: [chars])  # non-Chinese runs stay whole: "APP" not "a-p-p"
    ascii_text = " ".join(words).lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)) or "item"


def spell_ahead(texts: Iterable[str], slugs: dict[str, str], elsewhere: OtherProcess) -> None:
    """Spell into `slugs` (see `remembering`) those of `texts` that are Chinese and not there yet, all
    at once and in another process: pypinyin's dictionaries (50 MB in memory) then never load into
    the build's own process, whose memory its workers share. At 10,000 items they were a sixth of a
    cold build's peak. (A process `elsewhere` started with `load_pinyin` has them loaded already.)
    A text not foreseen is spelled where it is needed, as before."""
    wanted = sorted({text for text in texts if not text.isascii() and text not in slugs})
    if wanted:
        slugs.update(zip(wanted, elsewhere.run(_spelled, wanted), strict=True))


def load_pinyin() -> None:
    """Load pypinyin's dictionaries (a tenth of a second), by spelling a word."""
    slugify("拼音")


def _spelled(texts: list[str]) -> list[str]:
    return [slugify(text) for text in texts]


def names_spelled(document: Document, config: SiteConfig) -> set[str]:
    """The names `build_library` spells for a document (for `spell_ahead`): its tags and, unless it
    has a slug of its own, its file name."""
    names = set(convert(document.meta.data.get("tags", ()), "list", config.timezone) or ())
    if "slug" not in document.meta.data:
        names.add(_file_stem(document.source.content_rel))
    return names


def media_names(content_rel: str) -> list[str]:
    """The names `build_library` spells in a media file's path (see `_media_url`)."""
    return [PurePosixPath(part).stem for part in content_rel.split("/") if not part.isascii()]


def remembering(slugs: dict[str, str], spelled: dict[str, str] | None = None) -> Callable[[str], str]:
    """`slugify`, remembering what it spelled in Chinese in `slugs`, which the build state keeps: spelling
    Chinese first loads pypinyin's dictionaries, a fifth of a second on every command-line build. What
    it spells anew also goes to `spelled`, if given (for a worker to report). ASCII is not kept: it
    needs no dictionary."""
    def spell(text: str) -> str:
        slug = slugs.get(text)
        if slug is None:
            slug = slugify(text)
            if not text.isascii():
                slugs[text] = slug
                if spelled is not None:
                    spelled[text] = slug
        return slug

    return spell


def build_library(config: SiteConfig, documents: list[Document], media: list[SourceFile], schedule: Schedule, problems: Problems,
                  known: dict[str, tuple[str, SiteConfig, Item | None, tuple]] | None = None, slugs: dict[str, str] | None = None) -> Library:
    """`known` remembers items by source between builds of the live preview: an unchanged source
    under an unchanged config gives the same item, with its status brought up to date. `slugs`
    remembers the slugs spelled by earlier builds (see `remembering`)."""
    fields = {page: front_matter_fields(config, page) for page in (False, True)}
    known = {} if known is None else known
    spell = remembering(slugs) if slugs is not None else slugify
    items = []
    for doc in documents:
        cached = known.get(doc.source.rel)
        if cached is None or cached[0] != doc.source.digest or cached[1] != config:
            found = Problems()
            cached = known[doc.source.rel] = (doc.source.digest, config, _make_item(config, doc, fields, schedule, found, spell), tuple(found.items))
        problems.items.extend(cached[3])
        if cached[2] is not None:
            item = cached[2] if cached[2].source == doc.source else replace(cached[2], source=doc.source)
            status = _status({"draft": item.draft, "date": item.date, "expires": item.expires}, schedule)
            items.append(item if item.status == status else replace(item, status=status))
    items, media_files = _check_unique_urls(items, [Media(source, _media_url(source.content_rel, spell)) for source in media], config, problems)
    built = [i for i in items if schedule.includes(i.status)]
    unbuilt = {i.source.content_rel: i for i in items if not schedule.includes(i.status)}
    order = sorted((i for i in built if not i.is_page), key=_newest_first)
    listed = tuple(i for i in order if i.status != "expired")
    by_category = {c.key: tuple(i for i in listed if i.category is not None and i.category.key == c.key) for c in config.categories}
    years: dict[int, list[Item]] = defaultdict(list)
    for item in listed:
        years[item.date.year].append(item)
    neighbours = {}
    for members in by_category.values():
        for index, item in enumerate(members):
            newer = members[index - 1] if index > 0 else None
            older = members[index + 1] if index + 1 < len(members) else None
            neighbours[item.url] = (newer, older)
    return Library(
        config=config,
        items=tuple(order),
        pages=tuple(sorted((i for i in built if i.is_page), key=lambda i: i.url)),
        listed=listed,
        by_category=by_category,
        tags=_tags(listed, spell),
        years=dict(sorted(years.items(), reverse=True)),
        media=media_files,
        by_source={i.source.content_rel: i for i in built},
        unbuilt=unbuilt,
        neighbours=neighbours,
        related=_related(order, listed, by_category),
    )


def _related(items: list[Item], listed: tuple[Item, ...], by_category: dict[str, tuple[Item, ...]]) -> dict[str, tuple[Item, ...]]:
    """Per item: listed items sharing its tags (most shared tags first, then newest), then the newest of
    its category; never the item itself, at most RELATED_LIMIT.

    Each tag is a bit mask over `listed` (newest first), so "shares at least c of my tags" is a few
    ANDs and ORs, and the newest of them is the lowest set bit: exact, and fast at tens of thousands
    of items (counting shared tags item by item was quadratic)."""
    position = {item.url: index for index, item in enumerate(listed)}
    masks: dict[str, int] = defaultdict(int)
    for index, item in enumerate(listed):
        for tag in item.tags:
            masks[tag] |= 1 << index
    related = {}
    for item in items:
        picked: list[Item] = []
        taken = 1 << position[item.url] if item.url in position else 0
        for shared in range(len(item.tags), 0, -1):
            level = 0
            for tags in combinations(item.tags, shared):
                level |= functools.reduce(operator.and_, (masks[tag] for tag in tags))
            level &= ~taken
            taken |= level
            while level and len(picked) < RELATED_LIMIT:
                lowest = level & -level
                picked.append(listed[lowest.bit_length() - 1])
                level ^= lowest
            if len(picked) >= RELATED_LIMIT:
                break
        chosen = {other.url for other in picked}
        for other in by_category.get(item.category.key, ()) if item.category else ():
            if len(picked) >= RELATED_LIMIT:
                break
            if other.url != item.url and other.url not in chosen:
                picked.append(other)
                chosen.add(other.url)
        related[item.url] = tuple(picked)
    return related


def _newest_first(item: Item) -> tuple:
    return (-item.date.timestamp(), item.url)


def _tags(listed: tuple[Item, ...], spell: Callable[[str], str]) -> tuple[Tag, ...]:
    members: dict[str, list[Item]] = defaultdict(list)
    for item in listed:
        for tag in item.tags:
            members[tag].append(item)
    tags, used = [], set()
    for name in sorted(members, key=lambda n: (spell(n), n)):
        slug, n = spell(name), 2
        while slug in used:  # two tags spelled alike in pinyin (e.g. 妇联/复联) get distinct URLs
            slug, n = f"{spell(name)}-{n}", n + 1
        used.add(slug)
        tags.append(Tag(name, slug, tuple(members[name])))
    return tuple(tags)


def _media_url(content_rel: str, spell: Callable[[str], str] = slugify) -> str:
    """Media keep their place under content/; non-ASCII names are spelled in pinyin."""
    parts = content_rel.split("/")
    safe = [p if p.isascii() else spell(PurePosixPath(p).stem) + PurePosixPath(p).suffix.lower() for p in parts]
    return "/".join(safe)


def front_matter_fields(config: SiteConfig, page: bool) -> tuple[Field, ...]:
    """The front-matter fields: date and category are required, except on pages."""
    examples = {} if page else {"date": "2023-09-15 11:31", "category": config.categories[0].name}
    return tuple(replace(f, required=True, example=examples[f.name]) if f.name in examples else f for f in FRONT_MATTER)


def _make_item(config: SiteConfig, doc: Document, fields: dict[bool, tuple[Field, ...]], schedule: Schedule,
               problems: Problems, spell: Callable[[str], str]) -> Item | None:
    rel = doc.source.rel
    before = len(problems.errors)
    page = doc.source.kind == "page" or doc.meta.data.get("type") == "page"
    fm = read_fields(doc.meta, (), fields[page], rel, problems, config.timezone, "元数据")
    line = doc.meta.line
    kind = fm.get("type", "page" if doc.source.kind == "page" else "article")
    if kind not in ITEM_TYPES:
        problems.error(rel, line("type"), "type", f"类型“{kind}”不可用，请写 article（文章）、appeal（倡议书）、notice（通知公告）或 page（页面）。")
        kind = "article"
    if doc.source.kind == "page":
        kind = "page"
    category = _category(config, fm, kind, rel, line, problems)
    if kind != "appeal":
        for key in APPEAL_ONLY:
            if key in fm:
                problems.error(rel, line(key), key, f"“{key}”只用于倡议书。若这是倡议书，请加上“type: appeal”；否则请删去这一行。")
    slug = _slug(fm, doc.source, line, problems, spell)
    cover = _cover(fm.get("cover", ""), doc.source, config.root / CONTENT_DIR, line("cover"), problems, spell)
    if len(problems.errors) > before:
        return None
    date = fm.get("date")
    url = _permalink(config, category, date, slug) if kind != "page" else f"{slug}/"
    return Item(
        source=doc.source,
        type=kind,
        title=fm["title"],
        date=date,
        category=category,
        slug=slug,
        url=url,
        body=doc.body,
        body_line=doc.body_line,
        kicker=fm.get("kicker", ""),
        subtitle=fm.get("subtitle", ""),
        tags=tuple(tag for tag in dict.fromkeys(fm.get("tags", ())) if tag),
        source_name=fm.get("source", config.organisation if kind != "page" else ""),
        source_url=fm.get("source_url", ""),
        author=fm.get("author", ""),
        summary=fm.get("summary", ""),
        cover=cover,
        draft=fm.get("draft", False),
        expires=fm.get("expires"),
        addressee=fm.get("addressee", ""),
        signature=fm.get("signature", ""),
        signed_on=fm.get("signed_on", date) if kind == "appeal" else None,
        status=_status(fm, schedule),
        slug_line=line("slug") if "slug" in fm else line("title"),
    )


def _status(fm: dict, schedule: Schedule) -> str:
    if fm.get("draft"):
        return "draft"
    if fm.get("date") and fm["date"] > schedule.now:
        return "future"
    if fm.get("expires") and fm["expires"] < schedule.now:
        return "expired"
    return "published"


def _category(config: SiteConfig, fm: dict, kind: str, rel: str, line, problems: Problems) -> Category | None:
    if kind == "page":
        if "category" in fm:
            problems.error(rel, line("category"), "category", "页面（content/pages/ 中的文件）不属于任何栏目，请删去 category 一行。")
        return None
    name = fm.get("category")
    if name is None:  # missing, empty or not text: already reported with the other fields
        return None
    category = config.category(name)
    if category is None:
        names = "、".join(c.name for c in config.categories)
        problems.error(rel, line("category"), "category", f"没有名为“{name}”的栏目。可用的栏目：{names}。新栏目需先在 config.yaml 的 categories 中添加。")
    return category


def _slug(fm: dict, source: SourceFile, line, problems: Problems, spell: Callable[[str], str]) -> str:
    if "slug" in fm:
        slug = fm["slug"]
        if not _SLUG.fullmatch(slug):
            problems.error(source.rel, line("slug"), "slug", f"网址名“{slug}”只能由小写英文字母、数字和连字符组成，如 guanai-xingdong。")
        return slug
    stem = _file_stem(source.content_rel)
    if stem.isascii():
        candidate = stem.lower().replace("_", "-").replace(" ", "-")
        if _SLUG.fullmatch(candidate):
            return candidate
    return spell(stem)


def _file_stem(content_rel: str) -> str:
    """What an item's URL is made of when it has no slug: its file's name, without a leading date
    (2023-09-15-name.md: the date is already in the URL)."""
    return re.sub(r"^\d{4}-\d{2}-\d{2}-(?=.)", "", PurePosixPath(content_rel).stem)


def _cover(value: str, source: SourceFile, content_dir: Path, line: int, problems: Problems, spell: Callable[[str], str]) -> str:
    if not value:
        return ""
    target = resolve_content_path(source.content_rel, value, content_dir)
    if target is None:
        problems.error(source.rel, line, "cover", f"找不到封面图片“{value}”。路径相对于 content/ 文件夹或本文件所在文件夹，请检查文件名和大小写。")
        return ""
    return _media_url(target, spell)


def resolve_content_path(content_rel: str, target: str, content_dir: Path) -> str | None:
    """A link target relative to the file or to content/ -> its content-relative path, if it exists."""
    target = target.split("#")[0].split("?")[0]
    here = PurePosixPath(content_rel).parent
    for candidate in (here / target, PurePosixPath(target.lstrip("/"))):
        parts: list[str] = []
        for part in candidate.parts:
            if part == "..":
                if not parts:
                    break
                parts.pop()
            elif part not in (".", ""):
                parts.append(part)
        else:
            rel = "/".join(parts)
            if rel and (content_dir / rel).is_file():
                return rel
    return None


def _permalink(config: SiteConfig, category: Category | None, date: datetime | None, slug: str) -> str:
    values = {
        "category": category.key if category else "",
        "year": f"{date:%Y}" if date else "",
        "month": f"{date:%m}" if date else "",
        "day": f"{date:%d}" if date else "",
        "slug": slug,
    }
    return re.sub(r"/+", "/", config.permalink.format(**values)).lstrip("/")


def _check_unique_urls(items: list[Item], media: list[Media], config: SiteConfig,
                       problems: Problems) -> tuple[list[Item], tuple[Media, ...]]:
    """Report every URL claimed twice, naming both files; keep only the first claimant."""
    owners: dict[str, str] = {}
    reserved = {f"{c.key}/" for c in config.categories} | {"tags/", "archives/", "search/", "sitemap/", "print/", "zh-hant/", "static/", "pagefind/"}
    kept_items, kept_media = [], []
    for item in items:
        if item.url in reserved:
            problems.error(item.source.rel, item.slug_line, "slug", f"网址 /{item.url} 已被网站栏目或功能页面占用，请在元数据中换一个 slug。")
        elif item.url in owners:
            problems.error(item.source.rel, item.slug_line, "slug", f"网址 /{item.url} 与 {owners[item.url]} 重复。请给其中一篇设置不同的 slug。")
        else:
            owners[item.url] = item.source.rel
            kept_items.append(item)
    for file in media:
        key = file.url.lower()  # case-insensitive hosts (IIS) must not see two files as one
        if key in owners:
            problems.error(file.source.rel, 0, "", f"文件输出路径 /{file.url} 与 {owners[key]} 重复（网站服务器可能不区分大小写），请给其中一个改名。")
        else:
            owners[key] = file.source.rel
            kept_media.append(file)
    return kept_items, tuple(kept_media)
