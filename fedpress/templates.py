"""One Jinja2 environment per build: the site's templates/ first, then the theme.

A site overrides any theme file by putting its own copy in `templates/` (or in
`themes/<name>/templates/`); an override can still extend the original as
"theme/<file>".
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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
    env = jinja2.Environment(
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
    env.filters.update(date=format_date, cn_date=chinese_date, iso=lambda moment: moment.isoformat(), qr_svg=(qr_codes or QrCodes()).svg)
    return env


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
    """Inline SVG QR codes of page addresses, made at build time (no third-party service sees the
    reader). Making one costs milliseconds, so the drawings of codes made by earlier builds are
    passed in as `known`, and those made since are collected in `made` for the build state to keep."""

    known: Mapping[str, bytes] = field(default_factory=dict)
    made: dict[str, bytes] = field(default_factory=dict)

    def svg(self, url: str, label: str) -> Markup:
        drawing = self.known.get(url) or self.made.get(url)
        if drawing is None:
            drawing = self.made[url] = _qr_drawing(url)
        size, _, path = zlib.decompress(drawing).decode("ascii").partition(" ")
        return Markup(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" role="img" aria-label="{Markup.escape(label)}">'
            f"<title>{Markup.escape(label)}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>"
            f'<path stroke="#000" d="{path}"/></svg>'
        )

    def take_made(self) -> dict[str, bytes]:
        made, self.made = self.made, {}
        return made


def _qr_drawing(url: str, border: int = 4) -> bytes:
    """The code's size and SVG path, compressed (about 600 bytes)."""
    # zxing-cpp encodes in C++, choosing the best mask pattern, in about 0.4 ms a code; segno, in pure
    # Python, took 1.4 ms with a fixed mask pattern: QR codes were a third of a cold build's time.
    import zxingcpp  # loaded only when a code is not known

    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = code.to_image(scale=1, add_quiet_zones=False)  # a byte per module: 0 dark, 255 light
    size = modules.shape[1]
    pixels = bytes(memoryview(modules))
    # Each row is a move to its start and, for each run of dark modules, a relative move over the light
    # ones before it and a line over the run: short, and made from the regex engine's matches with
    # table lookups.
    path = "".join(f"M{border} {border + y + 0.5}" + "".join([_step(len(light), len(dark)) for light, dark in _RUNS.findall(pixels, y * size, (y + 1) * size)])
                   for y in range(size))
    return zlib.compress(f"{size + 2 * border} {path}".encode("ascii"))


_RUNS = re.compile(rb"(\xff*)(\x00+)")


@functools.cache
def _step(light: int, dark: int) -> str:
    return f"m{light} 0h{dark}"
