"""One Jinja2 environment per build: the site's templates/ first, then the theme.

A site overrides any theme file by putting its own copy in `templates/` (or in
`themes/<name>/templates/`); an override can still extend the original as
"theme/<file>".
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .config import SiteConfig, theme_dir
from .plan import Variant


def static_files(config: SiteConfig) -> dict[str, Path]:
    """Theme static files by output name; the site's static/ folder overrides them file by file."""
    files: dict[str, Path] = {}
    for folder in (theme_dir(config) / "static", config.root / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files[path.relative_to(folder).as_posix()] = path
    return dict(sorted(files.items()))


def make_environment(config: SiteConfig, static: dict[str, Path], qr_codes: QrCodes | None = None,
                     compiled: Path | None = None) -> jinja2.Environment:
    """The theme's Jinja environment. Templates compiled by earlier builds are kept in `compiled`:
    compiling them again took every process of a build about a tenth of a second."""
    theme_templates = jinja2.FileSystemLoader(str(theme_dir(config) / "templates"))
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(config.root / "templates")),
        theme_templates,
        jinja2.PrefixLoader({"theme": theme_templates}),
    ])
    env = _Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
    )
    versions = {name: hashlib.blake2b(path.read_bytes(), digest_size=4).hexdigest() for name, path in static.items()}
    base_path = config.base_path
    env.globals.update(
        site=config,
        static=lambda name: f"{base_path}static/{name}?v={versions.get(name, '0')}",
    )
    env.filters.update(date=format_date, cn_date=chinese_date, iso=lambda moment: moment.isoformat(), qr_image=(qr_codes or QrCodes()).image)
    return env


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals in a plain dict rather than a ChainMap over
    the environment's. Jinja looks globals up on every page, and copies them into each context it
    makes (a page, every include and import): through a ChainMap, at Python speed, that took a sixth
    of an article page's rendering. fedpress sets the globals before it loads any template and never
    changes them after, so what the ChainMap would keep in step never changes."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def format_date(moment: datetime | None, pattern: str = "%Y-%m-%d") -> str:
    return moment.strftime(pattern) if moment else ""


def chinese_date(moment: datetime | None) -> str:
    """2022年12月2日, the way official documents date themselves (no leading zeros)."""
    return f"{moment.year}年{moment.month}月{moment.day}日" if moment else ""


def is_page_url(rel: str) -> bool:
    """Pages have a twin in each script; media and static files (with a file extension) are shared."""
    return rel == "" or rel.endswith(("/", ".html"))


def link_functions(config: SiteConfig, variant: Variant) -> dict[str, object]:
    """url()/absolute() for templates rendering a page of `variant`; *_in() address another script's twin."""

    def url_in(other: Variant, rel: str = "") -> str:
        return config.base_path + (other.prefix if is_page_url(rel) else "") + rel

    def absolute_in(other: Variant, rel: str = "") -> str:
        return config.base_url + (other.prefix if is_page_url(rel) else "") + rel

    return {
        "url": lambda rel="": url_in(variant, rel),
        "absolute": lambda rel="": absolute_in(variant, rel),
        "url_in": url_in,
        "absolute_in": absolute_in,
    }


@dataclass
class QrCodes:
    """QR codes of page addresses as small PNG images, made at build time (no third-party service sees
    the reader). An image, unlike an inline drawing, is one a phone can save or hand to a scanner app
    with a long press. Making one costs about half a millisecond, so the images made by earlier builds
    are passed in as `known`, and those made since are collected in `made` for the build state to keep."""

    known: Mapping[str, bytes] = field(default_factory=dict)
    made: dict[str, bytes] = field(default_factory=dict)

    def image(self, url: str, label: str) -> Markup:
        png = self.known.get(url) or self.made.get(url)
        if png is None:
            png = self.made[url] = _qr_png(url)
        size = int.from_bytes(png[16:20], "big")  # the width, in modules, from the PNG header
        return Markup(f'<img class="qr" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
                      f'width="{size}" height="{size}" alt="{Markup.escape(label)}">')

    def take_made(self) -> dict[str, bytes]:
        made, self.made = self.made, {}
        return made


def _qr_png(url: str, border: int = 4) -> bytes:
    """The code as a black-and-white PNG, one pixel a module with a quiet zone of `border` (a few
    hundred bytes); the page scales it up without smoothing."""
    # zxing-cpp encodes in C++, choosing the best mask pattern, in about 0.4 ms a code; segno, in pure
    # Python, took 1.4 ms with a fixed mask pattern. Packing the modules into a 1-bit PNG takes a tenth
    # of a millisecond; drawing them as an SVG path in Python took 0.4 ms.
    import zxingcpp  # loaded only when a code is not known

    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = code.to_image(scale=1, add_quiet_zones=False)  # a byte per module: 0 dark, 255 light
    size = modules.shape[1]
    width = size + 2 * border
    margin, blank = "1" * border, "1" * width
    bits = bytes(memoryview(modules)).translate(_AS_BIT_DIGIT).decode("ascii")
    rows = [blank] * border + [margin + bits[y * size:(y + 1) * size] + margin for y in range(size)] + [blank] * border
    row_bytes = (width + 7) // 8
    # Each row: filter type 0, then its bits, padded with light ones to a whole byte.
    pixels = b"".join(b"\0" + int(row.ljust(row_bytes * 8, "1"), 2).to_bytes(row_bytes, "big") for row in rows)
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(pixels, 9)) + _png_chunk(b"IEND", b"")


_AS_BIT_DIGIT = bytes(ord("1") if value else ord("0") for value in range(256))  # light modules are white: 1


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
