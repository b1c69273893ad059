"""A rendered page -> its Traditional Chinese twin: OpenCC, phrase by phrase, on readable text only.

OpenCC's own dictionaries segment federation vocabulary wrongly (全市妇联系统 becomes 婦聯繫統:
it finds the word 联系). fedpress puts its own phrase dictionary, and then the site's overrides
from config.yaml, in front of OpenCC's in both segmentation and the first conversion step.

Only what people read is converted: text nodes and the title/alt/aria-label/placeholder
attributes and the content of descriptive <meta> tags. URLs, code, pre, script, style and
anything marked translate="no" pass through byte for byte.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .config import HantSettings

__all__ = ["Converter", "HantSettings"]

PHRASES_FILE = Path(__file__).resolve().parent / "data" / "hant_phrases.txt"
_SEPARATOR = "\ue000"  # a private-use character: OpenCC leaves it alone and no page contains it
_REMEMBERED = 4096  # strings; a few megabytes at most
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))  # Han characters; also in static/js/search.js
_REVERSE_PROFILES = {"s2t": "t2s", "s2tw": "tw2s", "s2twp": "tw2sp", "s2hk": "hk2s"}  # each profile's way back
_READABLE_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "label")
_READABLE_META = {"description", "keywords", "og:title", "og:description", "og:site_name", "sitename", "columnname",
                  "articletitle", "contentsource", "author"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Where what is never converted may begin: comments, code and scripts (raw text: script, style, textarea).
_FROZEN_START = re.compile(r"<(?:!--|(?:pre|code|kbd|samp|script|style|textarea)(?![\w-]))", re.I)
_RAW_TEXT = ("script", "style", "textarea")  # elements whose content is text, never tags
_ONE_TOKEN = _VOID | set(_RAW_TEXT)  # elements whose first markup token is the whole element
_FROZEN_FIRST = frozenset("!pcksPCKStT")  # the second character of every _FROZEN_START
_MARKED = 'translate="no"'
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
# The page's markup in one forward pass, in page order: comments (<!--> and <!---> too, as browsers read
# them), raw-text elements whole (their text is not markup) and tags, minding quotes as browsers do: a
# value is quoted when a quote follows its "=", and may then hold "<" or ">" (alt="报名>审核"); scanning
# forward, no match starts inside one.
# The quantifiers are possessive and the quoted value atomic, so a tag that never ends fails in linear time.
# One group around it all: split() then gives text and markup in turns.
_TAG_BODY = r"""[^>=]*(?:=\s*+(?>"[^"]*"|'[^']*')?+[^>=]*)*+>"""
_RAW_TEXT_ELEMENT = "|".join(rf"<{name}(?![\w-]){_TAG_BODY}.*?(?:</{name}(?![\w-])[^>]*>|\Z)" for name in _RAW_TEXT)
_MARKUP = re.compile(rf"(<!--(?:-?>|.*?(?:-->|\Z))|{_RAW_TEXT_ELEMENT}|</?[a-zA-Z]{_TAG_BODY})", re.S | re.I)
# name="value", name='value' or name=value: group 3 is the value as written
_ATTRIBUTE = re.compile(r'''([^\s=/>]+)(?:\s*=\s*(["']?)((?<=")[^"]*|(?<=')[^']*|(?<!['"])[^\s>'"]+)\2)?''')


class Converter:
    """OpenCC with fedpress's and the site's phrase dictionaries in front of its own."""

    def __init__(self, settings: HantSettings) -> None:
        self.settings = settings
        with tempfile.TemporaryDirectory(prefix="fedpress-opencc-") as folder:
            site_phrases = Path(folder) / "site_phrases.txt"
            site_phrases.write_text("".join(f"{s}\t{t}\n" for s, t in settings.phrases), encoding="utf-8")
            self._opencc = _opencc(_with_phrases(_profile_config(settings.profile), [site_phrases, PHRASES_FILE]), Path(folder))
        self._known: dict[str, str] = {}

    @functools.cached_property
    def identity(self) -> str:
        """What decides every conversion: OpenCC's version, the profile and both phrase dictionaries."""
        import opencc

        return f"{getattr(opencc, '__version__', '')}:{self.settings}:{PHRASES_FILE.read_text(encoding='utf-8')}"

    def simplified_characters(self) -> dict[str, str]:
        """Each Traditional character of the profile's script (in the Basic Multilingual Plane, where the
        characters readers type are) -> the Simplified one, as OpenCC's reverse profile reads the
        character alone (乾 is 干 there, though 乾隆 keeps it: the search pages also look a query up as
        typed). What the search pages turn a Traditional query into."""
        characters = [chr(code) for first, last in HAN_RANGES if last <= 0xFFFF for code in range(first, last + 1)]
        reverse = _profile_config(_REVERSE_PROFILES[self.settings.profile])
        _absolute_files(reverse)
        with tempfile.TemporaryDirectory(prefix="fedpress-opencc-") as folder:
            converted = _opencc(reverse, Path(folder)).convert(_SEPARATOR.join(characters)).split(_SEPARATOR)
        return {t: s for t, s in zip(characters, converted, strict=True) if s != t and len(s) == 1}

    def text(self, text: str) -> str:
        return self.texts([text])[0]

    def texts(self, texts: list[str], remember: bool = True) -> list[str]:
        """Convert many strings in one OpenCC call (much faster than one call each). The latest
        strings are remembered: navigation and titles recur on every page, an article's paragraphs
        in its print view, rendered next. Texts that do not recur (a page's whole text) are better
        converted with `remember=False`."""
        known = self._known if remember else {}
        fresh = [t for t in dict.fromkeys(texts) if t not in known]
        if fresh:
            converted = self._opencc.convert(_SEPARATOR.join(fresh)).split(_SEPARATOR)
            if len(converted) != len(fresh):  # cannot happen unless OpenCC maps the separator; be safe
                converted = [self._opencc.convert(t) for t in fresh]
            known.update(zip(fresh, converted, strict=True))
        result = [known[t] for t in texts]
        for oldest in list(itertools.islice(known, max(0, len(known) - _REMEMBERED))):
            del known[oldest]
        return result

    def page(self, markup: str) -> str:
        """One page's readable text converted (see `pages`)."""
        return self.pages([markup])[0]

    def pages(self, markups: list[str]) -> list[str]:
        """Convert the readable text of HTML pages, leaving markup, URLs and code untouched. The text
        of all the pages goes to OpenCC in one call: converting page by page, between renderings
        that push its dictionaries out of the processor's caches, took twice as long."""
        found = [_readable_parts(markup) for markup in markups]
        converted = iter(self.texts([text for _, edits in found for *_, text in edits]))
        return [_joined(markup, tokens, edits, converted) for markup, (tokens, edits) in zip(markups, found, strict=True)]


def _readable_parts(markup: str) -> tuple[list[str], list[tuple[int, int, int, str]]]:
    """The page as text and markup in turns, and what of it is to be converted, in page order:
    (token, start, end, text). A text node is converted whole; a tag, in its readable attributes;
    comments, code, scripts and what is marked translate="no" not at all. Only non-ASCII tokens
    can change (OpenCC changes nothing else), and C finds those in a list comprehension."""
    tokens = markup_tokens(markup)
    alone = _left_alone(tokens)
    edits: list[tuple[int, int, int, str]] = []
    for index in [i for i, token in enumerate(tokens) if not token.isascii()]:
        if index in alone:
            continue
        if index % 2:  # markup
            edits += [(index, start, end, value) for start, end, value in _readable_values(tokens[index])]
        else:
            edits.append((index, 0, len(tokens[index]), tokens[index]))
    return tokens, edits


def _left_alone(tokens: list[str]) -> set[int]:
    """The tokens of comments, code, scripts and elements marked translate="no", whole."""
    alone: set[int] = set()
    candidates = [i for i in range(1, len(tokens), 2) if tokens[i][1] in _FROZEN_FIRST or _MARKED in tokens[i]]
    for index in candidates:
        token = tokens[index]
        if index not in alone and (_MARKED in token or _FROZEN_START.match(token)):
            alone.update(element_tokens(tokens, index))
    return alone


def markup_tokens(page: str) -> list[str]:
    """The page as text and markup in turns: text at even indexes; at odd ones a comment, a raw-text
    element (script, style, textarea) whole, or a tag."""
    return _MARKUP.split(page)


def element_tokens(tokens: list[str], index: int) -> range:
    """The tokens from the markup token `index` to the end of the comment or element it opens."""
    token = tokens[index]
    tag = _TAG.match(token)  # None for a comment, which is one token
    if tag is None or tag.group(2).lower() in _ONE_TOKEN or token[-2] == "/":
        return range(index, index + 1)
    name, depth = tag.group(2).lower(), 1
    width = len(name) + 2  # "</name": only a tag beginning so can be one of this element's kind
    for later in range(index + 2, len(tokens), 2):
        if name not in tokens[later][:width].lower():
            continue
        inner = _TAG.match(tokens[later])
        if inner is not None and inner.group(2).lower() == name:
            depth += -1 if inner.group(1) else 1
            if depth == 0:
                return range(index, later + 1)
    return range(index, len(tokens))


def element_name(tag: str) -> str:
    """The name of the element a tag opens or closes, in lower case ("" for a comment)."""
    found = _TAG.match(tag)
    return found.group(2).lower() if found else ""


def is_tag(token: str) -> bool:
    """Whether a markup token is a tag, not a comment or a raw-text element (whose text is no markup)."""
    found = _TAG.match(token)
    return found is not None and found.group(2).lower() not in _RAW_TEXT


def attribute_value(tag: str, name: str) -> str | None:
    """The value of the attribute `name` (lower case) of an opening tag as written ("" when it has
    none), or None when the tag does not have it."""
    start = _TAG.match(tag)
    if start is None or start.group(1):
        return None
    found = next((m for m in _ATTRIBUTE.finditer(tag, start.end()) if m.group(1).lower() == name), None)
    return None if found is None else found.group(3) or ""


def _joined(markup: str, tokens: list[str], edits: list[tuple[int, int, int, str]], converted: Iterator[str]) -> str:
    """The page again, each edit's extent replaced by the next converted text. The edits are made
    from the last one back, so the offsets of those before stay right."""
    if not edits:
        return markup
    news = [next(converted) for _ in edits]
    for (index, start, end, _), new in zip(reversed(edits), reversed(news), strict=True):
        token = tokens[index]
        tokens[index] = token[:start] + new + token[end:]
    return "".join(tokens)


@functools.lru_cache(maxsize=4096)  # the same tags recur on every page: navigation, meta tags, icons
def _readable_values(tag: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, value) of the attributes of this tag that people read. Values are converted as
    written: entities are ASCII, which OpenCC leaves alone."""
    name = _TAG.match(tag)
    if name is None:
        return ()
    attributes = {m.group(1).lower(): m for m in _ATTRIBUTE.finditer(tag, name.end())}
    readable = [attributes[a] for a in _READABLE_ATTRIBUTES if a in attributes]
    if name.group(2).lower() == "meta" and "content" in attributes:
        key = next((attributes[a].group(3) for a in ("name", "property") if a in attributes and attributes[a].group(3)), "")
        if key.lower() in _READABLE_META:
            readable.append(attributes["content"])
    return tuple(sorted((m.start(3), m.end(3), m.group(3)) for m in readable if m.group(3)))


def _opencc(config: dict, folder: Path) -> object:
    """An OpenCC converter of a profile `config` (with absolute dictionary paths), loaded through a file in `folder`."""
    import opencc  # loaded only when a mirror is built

    path = folder / "config.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return opencc.OpenCC(str(path))  # dictionaries are loaded now; the file may go


def opencc_data() -> Path:
    """OpenCC's own dictionaries and profiles, inside the installed package."""
    import opencc  # loaded only when a mirror is built

    return Path(opencc.__file__).resolve().parent / "clib" / "share" / "opencc"


def _profile_config(profile: str) -> dict:
    path = opencc_data() / f"{profile}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _with_phrases(config: dict, phrase_files: list[Path]) -> dict:
    """OpenCC's profile with our phrase files first in segmentation and in the first conversion."""
    config = copy.deepcopy(config)
    ours = [{"type": "text", "file": str(path)} for path in phrase_files]
    _absolute_files(config)
    first = config["conversion_chain"][0]["dict"]
    phrase_group = next((d for d in first.get("dicts", []) if d.get("type") == "group"), first)
    config["segmentation"] = {
        "type": "mmseg",
        "dict": {"type": "group", "match_policy": "union", "dicts": [*ours, *copy.deepcopy(phrase_group.get("dicts", [phrase_group]))]},
    }
    config["conversion_chain"][0]["dict"] = {"type": "group", "match_policy": "short_circuit", "dicts": [*ours, first]}
    return config


def _absolute_files(node: object) -> None:
    if isinstance(node, dict):
        if "file" in node and not Path(node["file"]).is_absolute():
            node["file"] = str(opencc_data() / node["file"])
        for value in node.values():
            _absolute_files(value)
    elif isinstance(node, list):
        for value in node:
            _absolute_files(value)


def localize_links(markup: str, base_path: str, prefix: str, inserted: str | None = None) -> str:
    """Point links to pages (not to media) inside a body at their twins under `prefix` (by inserting
    `inserted`, by default the prefix itself; links already under it are left alone)."""
    pattern = re.compile(f'href="{re.escape(base_path)}(?!{re.escape(prefix)})((?:[^"#?]*/|[^"#?]*\\.html)(?:[#?][^"]*)?)"')
    insert = prefix if inserted is None else inserted
    return pattern.sub(lambda m: f'href="{base_path}{insert}{m.group(1)}"', markup)
