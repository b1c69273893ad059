"""RSS 2.0 and Atom feeds: what each feed lists and the values its template needs.

One pair of feeds for the whole site (rss.xml, atom.xml) and one per category
(<category>/rss.xml, <category>/atom.xml), in each script: the Traditional feeds live
under zh-hant/ and are converted like every other Traditional output. Only published
items appear (no drafts, future or expired items). Dates carry the site's time zone;
every link is absolute, so feed readers need no base URL. Feed dates come from the
items, never from the clock, so an unchanged site gives byte-identical feeds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .config import Category
from .hant import localize_links
from .library import Item, Library, Rendered

FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml"}
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
_EPOCH = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))  # "updated" of a feed on a site with nothing published yet
_ROOTED_LINK = re.compile(r'\b(href|src)="(/[^"]*)"')
_FRAGMENT_LINK = re.compile(r'\bhref="(#[^"]*)"')


@dataclass(frozen=True)
class FeedEntry:
    item: Item
    link: str  # absolute URL of the item in the feed's script
    summary: str
    content: str  # the whole body as HTML with absolute links; "" unless feeds.full_content

    @property
    def rfc822(self) -> str:
        return rfc822(self.item.date)

    @property
    def rfc3339(self) -> str:
        return rfc3339(self.item.date)


@dataclass(frozen=True)
class Feed:
    kind: str  # "rss" | "atom"
    title: str
    description: str
    page: str  # absolute URL of the HTML page the feed follows (home or category page)
    links: Mapping[str, str]  # kind -> absolute URL of this feed in each format
    language: str
    updated: datetime
    entries: tuple[FeedEntry, ...]
    category: Category | None = None

    @property
    def rfc822(self) -> str:
        return rfc822(self.updated)

    @property
    def rfc3339(self) -> str:
        return rfc3339(self.updated)

    @property
    def self_link(self) -> str:
        return self.links[self.kind]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def rfc822(moment: datetime) -> str:
    """RSS dates: 'Fri, 02 Dec 2022 16:50:00 +0800' (English names, numeric zone)."""
    return format_datetime(moment)


def rfc3339(moment: datetime) -> str:
    """Atom dates: '2022-12-02T16:50:00+08:00'."""
    return moment.isoformat(timespec="seconds")


def feed_paths(category: Category | None = None) -> dict[str, str]:
    """Site-relative paths of a feed pair (without the script's prefix)."""
    folder = f"{category.key}/" if category else ""
    return {kind: folder + name for kind, name in FEED_FILES.items()}


def published(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """What feeds, the sitemap and search show: published items only, even in a --drafts or --future build."""
    return tuple(item for item in items if item.status == "published")


def site_feeds(library: Library, bodies: Mapping[str, Rendered], prefix: str, language: str) -> list[tuple[Category | None, Feed]]:
    """Every feed of one script, `prefix` being where that script lives ("" or "zh-hant/")."""
    config = library.config
    newest = published(library.listed)
    fallback = newest[0].date if newest else _EPOCH
    result = []
    for category in (None, *config.categories):
        members = published(library.by_category[category.key] if category else library.listed)[:config.feeds.items]
        page = config.base_url + prefix + (f"{category.key}/" if category else "")
        links = {kind: config.base_url + prefix + path for kind, path in feed_paths(category).items()}
        title = f"{category.name} - {config.title}" if category else config.title
        description = (category.description if category else config.description) or f"{title}的最新内容"
        entries = tuple(_entry(library, bodies, item, prefix) for item in members)
        updated = max((item.date for item in members), default=fallback)
        for kind in FEED_FILES:
            result.append((category, Feed(kind, title, description, page, links, language, updated, entries, category)))
    return result


def _entry(library: Library, bodies: Mapping[str, Rendered], item: Item, prefix: str) -> FeedEntry:
    config = library.config
    link = config.base_url + prefix + item.url
    body = bodies[item.url]
    content = absolute_links(body.html, config.base_url, config.base_path, prefix, link) if config.feeds.full_content else ""
    return FeedEntry(item, link, body.summary, content)


def absolute_links(markup: str, base_url: str, base_path: str, prefix: str, page: str) -> str:
    """A body's links made absolute for a feed reader; links to pages point at the script's twins."""
    if prefix:
        markup = localize_links(markup, base_path, prefix)
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    markup = _ROOTED_LINK.sub(lambda m: f'{m.group(1)}="{origin}{m.group(2)}"', markup)
    return _FRAGMENT_LINK.sub(lambda m: f'href="{page}{m.group(1)}"', markup)
