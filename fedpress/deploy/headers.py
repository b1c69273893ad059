"""HTTP headers for object storage, which serves exactly the metadata an object was stored with.

Content-Type: text kinds say `charset=utf-8`, or a browser may guess GBK and garble the
Chinese. Cache-Control by kind: a CDN may keep pages, lists and feeds only briefly (a
correction must reach readers within minutes); static files are linked as
`site.css?v=<hash>` and fingerprinted names change with their content, so they may be
kept for a year; images and attachments keep their names when replaced, so 30 days.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re

from .manifest import MANIFEST

SHORT = "public, max-age=300"
YEAR = "public, max-age=31536000"
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA = "public, max-age=2592000"
NO_CACHE = "no-cache"

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
}
_TEXT = {"application/json", "application/xml", "application/rss+xml", "application/atom+xml", "image/svg+xml", "application/manifest+json",
         "text/javascript"}
_PAGES = {".html", ".htm", ".xml", ".rss", ".atom", ".json", ".txt", ".webmanifest"}
_FINGERPRINT = re.compile(r"\.[0-9a-f]{8,}\.[a-z0-9]+$")  # site.3f2a9c1b.css


def content_type(path: str) -> str:
    extension = posixpath.splitext(path)[1].lower()
    kind = _TYPES.get(extension) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT:
        return f"{kind}; charset=utf-8"
    return kind


def cache_control(path: str) -> str:
    extension = posixpath.splitext(path)[1].lower()
    if path == MANIFEST:
        return NO_CACHE
    if extension in _PAGES:
        return SHORT
    if _FINGERPRINT.search(path):
        return IMMUTABLE
    if path.startswith("static/"):
        return YEAR
    return MEDIA
