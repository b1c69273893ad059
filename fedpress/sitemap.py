"""sitemap.xml: every published page once per script, with its last change and its twins.

The entries are taken from the planned pages themselves, so a new kind of page is
listed without touching this module. Left out: print views (noindex), the 404 page,
the search page, and the pages of drafts, future and expired items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .library import Item

UNLISTED_TEMPLATES = frozenset({"print.html", "404.html", "search.html"})


class PageJob(Protocol):  # the parts of plan.OutputJob read here
    url: str
    template: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class SitemapEntry:
    url: str  # site-relative URL of the page, the same in every script
    lastmod: datetime | None  # None: the page has no date of its own (a standalone page without one)


def sitemap_entries(pages: Iterable[PageJob], newest: datetime | None) -> tuple[SitemapEntry, ...]:
    """`pages`: the page jobs of one script; `newest`: the date of the newest published item."""
    entries = {}
    for job in pages:
        if job.template in UNLISTED_TEMPLATES or (job.url and not job.url.endswith("/")):
            continue
        item = job.values.get("item")
        if isinstance(item, Item):
            if item.status != "published":
                continue
            lastmod = item.date
        else:
            dates = [entry.date for entry in job.values.get("entries", ()) if isinstance(entry, Item) and entry.date]
            lastmod = max(dates, default=newest)
        entries.setdefault(job.url, SitemapEntry(job.url, lastmod))
    return tuple(sorted(entries.values(), key=lambda e: e.url))
