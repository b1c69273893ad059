"""A page and its Traditional twin from one rendering of their template.

A twin is its Simplified page's job under another path and variant, so the two renderings
differ only where the script shows: the variant's attributes (lang, prefix, label …), the
links url() and absolute() make, the 简/繁 switch to the other script, the share texts put
into URLs and the QR code of the page's address. The page is rendered once with a
placeholder in each of those places, and the one result is resolved into both pages (the
twin is then converted to Traditional as any twin is). Rendering the twin again took as
long as rendering its page.

A template that does anything with a placeholder but write it out, join it to other text
or URL-encode it (tests it, compares it, measures or takes it apart, as in
`{% if variant.key == "hant" %}`) may make the two pages differ in ways the placeholders
do not show: that is noticed, and the page and its twin are then rendered each for itself.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from typing import Any

from jinja2.utils import url_quote
from markupsafe import Markup

from .config import SiteConfig
from .hant import localize_links
from .library import Rendered
from .plan import OutputJob, Variant
from .templates import is_page_url

_OPEN, _CLOSE = "\ue010", "\ue011"  # private-use characters; each placeholder also carries a random nonce
_TAIL = "/ "  # URL-encoding a placeholder shows how: "/%20" as a path, "%2F+" as a query string
_ENDS = {"/ " + _CLOSE: _TAIL, "/%20%EE%80%91": "/%20", "%2F+%EE%80%91": "%2F+"}  # how a placeholder ends -> its tail
_VARIANT_FIELDS = frozenset(f.name for f in fields(Variant))
_GUARDED = ("__len__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__",
            "__contains__", "__getitem__", "__iter__", "__mul__", "__rmul__", "__mod__")
_PASSIVE = frozenset({"__class__", "__str__", "__html__", "__html_format__", "encode"})  # writing out, escaping, URL-encoding


class Placeholders:
    """The placeholders of one renderer, and the two pages a rendering with them stands for.
    `begin` before each rendering; `pages` after it."""

    def __init__(self, config: SiteConfig, page: Variant, twin: Variant, qr_image: Callable[[str, str], Markup],
                 convert: Callable[[str], str]) -> None:
        self.config, self.sides, self.qr_image_of, self.convert = config, (page, twin), qr_image, convert
        self.nonce = secrets.token_hex(6)  # output never holds it: a page that still does after resolving is not used
        self.touched = False  # the rendering did something with a placeholder that may differ between the scripts
        self.slots: list[Any] = []  # share texts and QR codes of this rendering, by number
        self.text_type = type("PlaceholderText", (_PlaceholderText,), {"owner": self})
        self.variant = _PlaceholderVariant(self, "v")
        # The nonce first: the regular expression engine then skips to each occurrence at C speed.
        self._found = re.compile(f"{self.nonce}([a-z]+)([0-9]*)({'|'.join(re.escape(end) for end in _ENDS)})")
        self._prefixes = {side: self.placeholder(side + "prefix") for side in ("v", "o")}
        self.localize = lambda markup: localize_links(markup, config.base_path, twin.prefix, self._prefixes["v"])

    def placeholder(self, name: str) -> str:
        return f"{_OPEN}{self.nonce}{name}{_TAIL}{_CLOSE}"

    def begin(self) -> None:
        self.touched = False
        self.slots = []

    def globals(self) -> dict[str, object]:
        """What templates get in place of the variant's own globals (render.py)."""

        def url_in(other: Variant | _PlaceholderVariant, rel: str = "") -> str:
            return self._link(self.config.base_path, other, rel)

        def absolute_in(other: Variant | _PlaceholderVariant, rel: str = "") -> str:
            return self._link(self.config.base_url, other, rel)

        return {
            "variant": self.variant,
            "other_variants": (_PlaceholderVariant(self, "o"),),
            "url": lambda rel="": url_in(self.variant, rel),
            "absolute": lambda rel="": absolute_in(self.variant, rel),
            "url_in": url_in,
            "absolute_in": absolute_in,
            "in_script": lambda text: self._slot(("text", str(text))),
        }

    def job(self, page: OutputJob) -> OutputJob:
        """The page's job as its template sees it when rendering for both scripts."""
        return replace(page, path=self.text_type(self._prefixes["v"] + page.path), variant=self.variant)

    def values(self, page: OutputJob) -> Mapping[str, object]:
        """The page's values as its template sees them: its body's links to pages lead to either script's."""
        body = page.values.get("body")
        if isinstance(body, Rendered):
            return {**page.values, "body": replace(body, html=self.localize(body.html))}
        return page.values

    def qr_image(self, url: str, label: str) -> Markup:
        return Markup(self._slot(("qr", str(url), label)))

    def pages(self, rendered: str) -> tuple[str, str] | None:
        """The page and its twin that `rendered` stands for; None when they may differ in more than its placeholders."""
        page, twin = self._resolved(rendered, (0, 1))
        if self.touched or self.nonce in page or self.nonce in twin:
            return None
        return page, twin

    def _resolved(self, text: str, sides: tuple[int, ...]) -> list[str]:
        """`text` with its placeholders replaced, for each side (0: the page, 1: its twin). It is split once at
        its placeholders, and each side joined from the pieces, with each kind of placeholder valued once."""
        pieces = self._found.split(text)  # text, then a placeholder's name, number and ending, then text …
        texts, found = pieces[::4], list(zip(pieces[1::4], pieces[2::4], pieces[3::4], strict=True))
        for index, (_, _, end) in enumerate(found):  # the text before a placeholder ends with its opening
            opening = _OPEN if _ENDS[end] == _TAIL else "%EE%80%90"
            if not texts[index].endswith(opening):
                self.touched = True
            texts[index] = texts[index].removesuffix(opening)
        results = []
        for side in sides:
            values = {key: self._value(key[0], key[1], _ENDS[key[2]], side) for key in set(found)}
            parts = [""] * (2 * len(found) + 1)
            parts[::2], parts[1::2] = texts, [values[key] for key in found]
            results.append("".join(parts))
        return results

    def _value(self, name: str, number: str, tail: str, side: int) -> str:
        if not number:
            return self._variant_value(name, tail, side)
        kind, *args = self.slots[int(number)]
        if kind == "qr" and tail == _TAIL:
            url, label = args
            return self.qr_image_of(self._resolved(url, (side,))[0], label)
        if kind == "text" and tail != _TAIL:  # a share text in a URL
            return url_quote(self.convert(args[0]) if side else args[0], for_qs=tail != "/%20")
        self.touched = True  # written out as it is: the page's conversion would see it (or the code would be URL-encoded)
        return ""

    @functools.cache  # noqa: B019 - a handful of values, for as long as the renderer lives
    def _variant_value(self, name: str, tail: str, side: int) -> str:
        variant = self.sides[side if name[0] == "v" else 1 - side]
        value = getattr(variant, name[1:])
        return value if tail == _TAIL else url_quote(value, for_qs=tail != "/%20")

    def _slot(self, content: tuple) -> str:
        self.slots.append(content)
        return self.text_type(self.placeholder(f"s{len(self.slots) - 1}"))

    def _link(self, base: str, other: Variant | _PlaceholderVariant, rel: str) -> str:
        """As templates.link_functions' links, with the placeholder of a prefix that differs between the scripts."""
        rel = str(rel)
        marked = self.nonce in rel  # say, a feed's address: url(variant.prefix ~ 'rss.xml')
        if marked and rel.endswith((_CLOSE, "%EE%80%91")):  # whether it is a page's address may differ between the scripts
            kinds = {is_page_url(link) for link in self._resolved(rel, (0, 1))}
            self.touched |= len(kinds) > 1
            page = kinds.pop()
        else:
            page = is_page_url(rel)
        if page and isinstance(other, _PlaceholderVariant):
            return self.text_type(base + self._prefixes[other.side] + rel)
        link = base + (other.prefix if page else "") + rel
        return self.text_type(link) if marked else link


class _PlaceholderText(str):
    """Text holding placeholders: a template may write it out, join it to other text or URL-encode it;
    anything else done with it (a test, a comparison, a method) marks the rendering as touched."""

    __slots__ = ()
    owner: Placeholders

    def __getattribute__(self, name: str) -> Any:
        if name not in _PASSIVE:
            type(self).owner.touched = True
        return super().__getattribute__(name)


def _guard(name: str) -> Callable:
    original = getattr(str, name)

    def guarded(self: _PlaceholderText, *args: Any) -> Any:
        type(self).owner.touched = True
        return original(self, *args)

    return guarded


for _name in _GUARDED:
    setattr(_PlaceholderText, _name, _guard(_name))


class _PlaceholderVariant:
    """The variant of the page being rendered ("v") or of the other script ("o"), as placeholders.
    Its key, and comparing it, tell the scripts apart: both mark the rendering as touched."""

    def __init__(self, owner: Placeholders, side: str) -> None:
        self.owner, self.side = owner, side

    def __getattr__(self, name: str) -> str:
        if name not in _VARIANT_FIELDS:
            raise AttributeError(name)
        if name == "key":
            self.owner.touched = True
        return self.owner.text_type(self.owner.placeholder(self.side + name))

    def __eq__(self, other: object) -> bool:
        self.owner.touched = True
        return self is other

    def __hash__(self) -> int:
        self.owner.touched = True
        return id(self)
