"""config.yaml -> a frozen, validated SiteConfig; and what a build is asked to do (BuildOptions).

Errors name the key and its line. Unknown keys are errors, as in front matter, so a
typo never silently falls back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import yamlsource
from .errors import Problems
from .fields import Field, read_fields

CONFIG_FILE = "config.yaml"
CACHE_DIR = ".cache"
THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"  # the themes shipped with fedpress
PERMALINK_FIELDS = ("category", "year", "month", "day", "slug")
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")

_TOP = (
    Field("site", "mapping", "站点信息", required=True),
    Field("categories", "sequence", "栏目", required=True),
    Field("per_page", "int", "每页条数"),
    Field("permalink", "text", "文章网址格式"),
    Field("allow_html", "bool", "是否允许 HTML"),
    Field("footer", "mapping", "页脚信息"),
    Field("theme", "text", "主题"),
    Field("traditional", "mapping", "繁体版"),
    Field("print_view", "bool", "是否生成打印版"),
    Field("search", "bool", "是否生成站内搜索"),
    Field("feeds", "mapping", "订阅源"),
    Field("deploy", "sequence", "发布目标"),  # checked by fedpress.deploy.targets, which only `check` and `deploy` need
)
_SITE = (
    Field("title", "text", "网站名称", required=True),
    Field("organisation", "text", "主办机构", required=True),
    Field("description", "text", "网站简介"),
    Field("base_url", "url", "网站地址", required=True),
    Field("language", "text", "语言"),
    Field("timezone", "text", "时区"),
    Field("default_image", "text", "默认分享图片"),
)
_CATEGORY = (
    Field("key", "text", "栏目代码", required=True),
    Field("name", "text", "栏目名称", required=True),
    Field("order", "int", "栏目顺序"),
    Field("nav", "bool", "是否显示在导航中"),
    Field("description", "text", "栏目简介"),
)
_FOOTER = (
    Field("host", "text", "主办单位"),
    Field("address", "text", "地址"),
    Field("postcode", "text", "邮编"),
    Field("phone", "text", "电话"),
    Field("hotline", "text", "维权热线"),
    Field("email", "text", "电子邮箱"),
    Field("icp", "text", "ICP备案号"),
    Field("police_record", "text", "公安备案号"),
    Field("police_record_url", "url", "公安备案链接"),
    Field("site_code", "text", "网站标识码"),
)


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    order: int
    nav: bool
    description: str = ""


@dataclass(frozen=True)
class Footer:
    host: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    hotline: str = ""
    email: str = ""
    icp: str = ""
    police_record: str = ""
    police_record_url: str = ""
    site_code: str = ""


HANT_PROFILES = {  # OpenCC profile -> language tag of the Traditional twin
    "s2t": "zh-Hant",
    "s2tw": "zh-Hant-TW",
    "s2twp": "zh-Hant-TW",
    "s2hk": "zh-Hant-HK",
}
_TRADITIONAL = (
    Field("enabled", "bool", "是否生成繁体版"),
    Field("profile", "text", "繁体转换方案"),
    Field("phrases", "mapping", "自定义繁体词语"),
)


@dataclass(frozen=True)
class HantSettings:
    """The Traditional Chinese mirror: OpenCC profile and the site's own phrase overrides."""

    profile: str = "s2t"
    phrases: tuple[tuple[str, str], ...] = ()  # simplified -> traditional, e.g. names of people and places

    @property
    def language(self) -> str:
        return HANT_PROFILES[self.profile]


_FEEDS = (
    Field("items", "int", "订阅源条数"),
    Field("full_content", "bool", "订阅源是否包含全文"),
)


@dataclass(frozen=True)
class FeedSettings:
    """RSS and Atom feeds: how many of the latest items, and whether entries carry the whole text."""

    items: int = 20
    full_content: bool = False


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    title: str
    organisation: str
    base_url: str
    description: str
    language: str
    timezone: ZoneInfo
    default_image: str
    categories: tuple[Category, ...]
    per_page: int
    permalink: str
    allow_html: bool
    footer: Footer
    theme: str
    hant: HantSettings | None = None  # None: no Traditional mirror
    print_view: bool = True  # <item>/print/ pages
    search: bool = True  # the Pagefind index and the search box
    feeds: FeedSettings = FeedSettings()

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always starting and ending with '/'."""
        return urlsplit(self.base_url).path

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).netloc

    def category(self, key_or_name: str) -> Category | None:
        for category in self.categories:
            if key_or_name in (category.key, category.name):
                return category
        return None


@dataclass(frozen=True)
class BuildOptions:
    """What a build is asked to do: the command line's options, or those of `serve` or a test."""

    site: Path
    output: Path | None = None  # default: <site>/output
    drafts: bool = False
    future: bool = False
    now: datetime | None = None  # reference time for drafts/future/expired; default: the clock
    workers: int = 0  # processes for Markdown and rendering; 0: one per core
    clean: bool = False  # ignore what earlier builds left in the cache
    cache: Path | None = None  # default: <site>/.cache
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total) for long builds
    search: bool = True  # build the search index (Pagefind); `check` needs none
    skip_if_current: bool = True  # nothing changed since the last build: do nothing (and make no LiveSite)
    commit_guard: AbstractContextManager | None = None  # held while files move into the output (serve's requests wait on it)

    @property
    def output_dir(self) -> Path:
        return (self.output if self.output is not None else self.site / "output").resolve()

    @property
    def cache_dir(self) -> Path:
        return (self.cache if self.cache is not None else self.site / CACHE_DIR).resolve()


def theme_dir(config: SiteConfig) -> Path:
    """The theme folder: the site's own themes/<name>/ if present, else the one shipped with fedpress."""
    own = config.root / "themes" / config.theme
    return own if own.is_dir() else THEMES_DIR / config.theme


def load_config(root: Path, problems: Problems) -> SiteConfig | None:
    """Read `root/config.yaml`; report every problem and return None if any is fatal."""
    path = root / CONFIG_FILE
    before = len(problems.errors)
    if not path.is_file():
        problems.error(CONFIG_FILE, 0, "", f"找不到 {CONFIG_FILE}。网站文件夹中必须有这个设置文件，可参照示例网站的 config.yaml。")
        return None
    text = yamlsource.decode(path.read_bytes(), CONFIG_FILE, problems)
    if text is None:
        return None
    doc = yamlsource.load(text, CONFIG_FILE, problems)
    if doc is None:
        return None
    tz = ZoneInfo("Asia/Shanghai")
    top = read_fields(doc, (), _TOP, CONFIG_FILE, problems, tz)
    # A section that is missing, empty or of the wrong kind has just been reported once, as such.
    site = read_fields(doc, ("site",), _SITE, CONFIG_FILE, problems, tz, "site") if "site" in top else {}
    footer = read_fields(doc, ("footer",), _FOOTER, CONFIG_FILE, problems, tz, "footer") if "footer" in top else {}
    timezone = _timezone(site.get("timezone", "Asia/Shanghai"), doc.line("site", "timezone"), problems)
    categories = _categories(doc, top["categories"], problems) if "categories" in top else ()
    per_page = top.get("per_page", 20)
    if per_page < 1:
        problems.error(CONFIG_FILE, doc.line("per_page"), "per_page", "每页条数必须大于 0。")
    permalink = _permalink(top.get("permalink", "/{category}/{year}/{slug}/"), doc.line("permalink"), problems)
    base_url = site.get("base_url", "https://example.org/")
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or not parts.hostname:
        problems.error(CONFIG_FILE, doc.line("site", "base_url"), "site.base_url",
                       f"网站地址“{base_url}”不对：应是网站首页的地址，如 https://www.example.org.cn/ 或 https://www.example.org.cn/fulian/，不能带 ? 或 #。")
    if not base_url.endswith("/"):
        base_url += "/"
    hant = _traditional(doc, problems) if "traditional" in top else None
    feeds = _feeds(doc, problems) if "feeds" in top else FeedSettings()
    theme = top.get("theme", "default")
    if not (root / "themes" / theme).is_dir() and not (THEMES_DIR / theme).is_dir():
        available = "、".join(sorted(p.name for p in THEMES_DIR.iterdir() if p.is_dir()))
        problems.error(CONFIG_FILE, doc.line("theme"), "theme",
                       f"找不到主题“{theme}”。可用的主题：{available}；自己的主题请放在网站文件夹的 themes/{theme}/ 中。")
    if len(problems.errors) > before:
        return None
    return SiteConfig(
        root=root,
        title=site["title"],
        organisation=site["organisation"],
        base_url=base_url,
        description=site.get("description", ""),
        language=site.get("language", "zh-CN"),
        timezone=timezone,
        default_image=site.get("default_image", ""),
        categories=categories,
        per_page=per_page,
        permalink=permalink,
        allow_html=top.get("allow_html", False),
        footer=Footer(**footer),
        theme=theme,
        hant=hant,
        print_view=top.get("print_view", True),
        search=top.get("search", True),
        feeds=feeds,
    )


def _feeds(doc: yamlsource.YamlDoc, problems: Problems) -> FeedSettings:
    values = read_fields(doc, ("feeds",), _FEEDS, CONFIG_FILE, problems, ZoneInfo("UTC"), "feeds")
    items = values.get("items", FeedSettings.items)
    if items < 1:
        problems.error(CONFIG_FILE, doc.line("feeds", "items"), "feeds.items", "订阅源条数必须大于 0，一般写 20。")
    return FeedSettings(items=items, full_content=values.get("full_content", False))


def _traditional(doc: yamlsource.YamlDoc, problems: Problems) -> HantSettings | None:
    values = read_fields(doc, ("traditional",), _TRADITIONAL, CONFIG_FILE, problems, ZoneInfo("UTC"), "traditional")
    profile = values.get("profile", "s2t")
    if profile not in HANT_PROFILES:
        problems.error(CONFIG_FILE, doc.line("traditional", "profile"), "traditional.profile",
                       f"繁体转换方案“{profile}”不可用，请写 s2t（通用繁体）、s2tw（台湾用字）、s2twp（台湾用字和用词）或 s2hk（香港用字）。")
    phrases = []
    for simplified, traditional in values.get("phrases", {}).items():
        if not isinstance(traditional, str) or not str(simplified).strip() or not traditional.strip():
            problems.error(CONFIG_FILE, doc.line("traditional", "phrases", simplified), "traditional.phrases",
                           f"自定义词语应写成“简体: 繁體”，如“范晓萍: 范曉萍”；“{simplified}”这一行不对。")
            continue
        phrases.append((str(simplified).strip(), traditional.strip()))
    if not values.get("enabled", True):
        return None
    return HantSettings(profile, tuple(sorted(phrases)))


def _timezone(name: str, line: int, problems: Problems) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.error(CONFIG_FILE, line, "site.timezone", f"不认识时区“{name}”，中国大陆网站请写 Asia/Shanghai。")
        return ZoneInfo("Asia/Shanghai")


def _categories(doc: yamlsource.YamlDoc, raw: list, problems: Problems) -> tuple[Category, ...]:
    categories: list[Category] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        line = doc.line("categories", index)
        if not isinstance(entry, dict):
            problems.error(CONFIG_FILE, line, "categories",
                           "每个栏目要写成两行：“- key: 栏目代码”和“  name: 栏目名称”，如“- key: gongzuo-dongtai”下一行“  name: 工作动态”。")
            continue
        values = read_fields(doc, ("categories", index), _CATEGORY, CONFIG_FILE, problems, ZoneInfo("UTC"), "栏目")
        key, name = values.get("key"), values.get("name")
        if key is None or name is None:
            continue
        if not _KEY.fullmatch(key):
            problems.error(CONFIG_FILE, doc.line("categories", index, "key"), "categories.key",
                           f"栏目代码“{key}”只能由小写英文字母、数字和连字符组成（它是网址的一部分），如 gongzuo-dongtai。")
        for label in dict.fromkeys((key, name)):  # a category may use one word as key and name
            if label in seen:
                problems.error(CONFIG_FILE, line, "categories", f"栏目“{label}”与第 {seen[label]} 行的栏目重复。")
            seen[label] = line
        categories.append(Category(key, name, values.get("order", index + 1), values.get("nav", True), values.get("description", "")))
    if not raw:
        problems.error(CONFIG_FILE, doc.line("categories"), "categories", "至少要设置一个栏目，如“- key: gongzuo-dongtai”下一行“  name: 工作动态”。")
    return tuple(sorted(categories, key=lambda c: (c.order, c.key)))


def _permalink(pattern: str, line: int, problems: Problems) -> str:
    names = re.findall(r"\{([^{}]*)\}", pattern)
    unknown = [n for n in names if n not in PERMALINK_FIELDS]
    if unknown:
        problems.error(CONFIG_FILE, line, "permalink", f"网址格式中的“{{{unknown[0]}}}”不可用，可用：{'、'.join('{' + n + '}' for n in PERMALINK_FIELDS)}。")
    elif re.sub(r"\{[^{}]*\}", "", pattern).count("{") or re.sub(r"\{[^{}]*\}", "", pattern).count("}"):
        problems.error(CONFIG_FILE, line, "permalink", "网址格式中的花括号 { } 没有成对，如 /{category}/{year}/{slug}/。")
    if "slug" not in names:
        problems.error(CONFIG_FILE, line, "permalink", "网址格式必须包含 {slug}，否则文章网址会重复。")
    if not pattern.startswith("/") or not pattern.endswith("/"):
        problems.error(CONFIG_FILE, line, "permalink", "网址格式必须以 / 开头并以 / 结尾，如 /{category}/{year}/{slug}/。")
    return pattern
