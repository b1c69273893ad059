"""A rendered page -> its Traditional Chinese twin: OpenCC, phrase by phrase, on readable text only.

OpenCC's own dictionaries segment federation vocabulary wrongly (全市妇联系统 becomes 婦聯繫統:
it finds the word 联系). fedpress puts its own phrase dictionary, and then the site's overrides
from config.yaml, in front of OpenCC's in both segmentation and the first conversion step.

Only what people read is converted: text nodes and the title/alt/aria-label/placeholder
attributes and the content of descriptive <meta> tags. URLs, code, pre, script, style and
anything marked translate="no" pass through byte for byte.
"""

from __future__ import annotations

import bisect
import copy
import functools
import itertools
import json
import re
import tempfile
from pathlib import Path

from .config import HantSettings

__all__ = ["Converter", "HantSettings"]

PHRASES_FILE = Path(__file__).resolve().parent / "data" / "hant_phrases.txt"
_SEPARATOR = "\ue000"  # a private-use character: OpenCC leaves it alone and no page contains it
_REMEMBERED = 4096  # strings; a few megabytes at most
_READABLE_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "label")
_READABLE_META = {"description", "keywords", "og:title", "og:description", "og:site_name", "sitename", "columnname",
                  "articletitle", "contentsource", "author"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NON_ASCII = re.compile(r"[^\x00-\x7f][^<>]*")  # up to the end of its text node or tag
# Where what is never converted may begin: comments, code and scripts (raw text: script, style, textarea).
_FROZEN_START = re.compile(r"<(?:!--|(?:pre|code|kbd|samp|script|style|textarea)(?![\w-]))", re.I)
_RAW_TEXT = {"script", "style", "textarea"}  # elements whose content is text, never tags
_ONE_SPAN = _VOID | _RAW_TEXT  # elements whose first markup span is the whole element
_MARKED = 'translate="no"'
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
# The page's markup in one forward pass, in page order: comments, raw-text elements whole (their text
# is not markup) and tags, minding quotes as browsers do: a value is quoted when a quote follows its
# "=", and may then hold "<" or ">" (alt="报名>审核"); scanning forward, no match starts inside one.
# The quantifiers are possessive and the quoted value atomic, so a tag that never ends fails in linear time.
_TAG_BODY = r"""[^>=]*(?:=\s*+(?>"[^"]*"|'[^']*')?+[^>=]*)*+>"""
_MARKUP = re.compile(rf"<!--.*?(?:-->|\Z)|<(script|style|textarea)(?![\w-]){_TAG_BODY}.*?(?:</\1(?![\w-])[^>]*>|\Z)"
                     rf"|</?[a-zA-Z]{_TAG_BODY}", re.S | re.I)
# name="value", name='value' or name=value: group 3 is the value as written
_ATTRIBUTE = re.compile(r'''([^\s=/>]+)(?:\s*=\s*(["']?)((?<=")[^"]*|(?<=')[^']*|(?<!['"])[^\s>'"]+)\2)?''')


class Converter:
    """OpenCC with fedpress's and the site's phrase dictionaries in front of its own."""

    def __init__(self, settings: HantSettings) -> None:
        self.settings = settings
        with tempfile.TemporaryDirectory(prefix="fedpress-opencc-") as folder:
            site_phrases = Path(folder) / "site_phrases.txt"
            site_phrases.write_text("".join(f"{s}\t{t}\n" for s, t in settings.phrases), encoding="utf-8")
            config_path = Path(folder) / "config.json"
            config = _with_phrases(_profile_config(settings.profile), [site_phrases, PHRASES_FILE])
            config_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
            import opencc  # loaded only when a mirror is built

            self._opencc = opencc.OpenCC(str(config_path))  # dictionaries are loaded now; the files may go
        self._known: dict[str, str] = {}

    def text(self, text: str) -> str:
        return self.texts([text])[0]

    def texts(self, texts: list[str]) -> list[str]:
        """Convert many strings in one OpenCC call (much faster than one call each). The latest
        strings are remembered: navigation and titles recur on every page, an article's paragraphs
        in its print view, rendered next."""
        known = self._known
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
        """Convert the readable text of an HTML page, leaving markup, URLs and code untouched.

        OpenCC changes nothing but non-ASCII characters, so the page is searched for those alone
        (in C, by the regex engine) and each is placed: in a text node, in a tag, or in an element
        left alone. A Python loop over every tag of the page took most of a mirror's cost."""
        runs = list(_NON_ASCII.finditer(markup))
        if not runs:
            return markup
        spans = [m.span() for m in _MARKUP.finditer(markup)]
        starts = [start for start, _ in spans]
        frozen = _frozen_spans(markup, spans, starts)
        next_frozen = 0  # the first frozen span that does not end before the current position
        edits: list[tuple[int, int, str]] = []  # (start, end, text to convert) in page order
        covered = 0  # where the last text node or tag looked at ends
        for run in runs:
            at = run.start()
            if at < covered:
                continue
            while next_frozen < len(frozen) and frozen[next_frozen][1] <= at:
                next_frozen += 1
            if next_frozen < len(frozen) and frozen[next_frozen][0] <= at:
                covered = frozen[next_frozen][1]
                continue
            index = bisect.bisect_right(starts, at) - 1  # the markup starting last before the run
            if index >= 0 and spans[index][1] > at:  # inside a tag: only its readable attribute values
                opened, covered = spans[index]
                edits += [(opened + start, opened + end, value) for start, end, value in _readable_values(markup[opened:covered])]
            else:  # in a text node: the whole node, converted as one
                start = max(covered, spans[index][1] if index >= 0 else 0)
                covered = spans[index + 1][0] if index + 1 < len(spans) else len(markup)
                edits.append((start, covered, markup[start:covered]))
        if not edits:
            return markup
        converted = self.texts([text for _, _, text in edits])
        parts, position = [], 0
        for (start, end, _), new in zip(edits, converted, strict=True):
            parts += (markup[position:start], new)
            position = end
        parts.append(markup[position:])
        return "".join(parts)


def _frozen_spans(markup: str, spans: list[tuple[int, int]], starts: list[int]) -> list[tuple[int, int]]:
    """The extents, in page order, of comments and of the elements not to convert: code, scripts…
    and anything marked translate="no". Only real markup counts (`spans`, from `_MARKUP`): what looks
    like a tag inside a comment, a script or an attribute value starts nothing."""
    found: list[tuple[int, int]] = []
    at = markup.find(_MARKED)
    while at >= 0:
        index = bisect.bisect_right(starts, at) - 1
        if index >= 0 and spans[index][1] > at:
            found.append(spans[index])
        at = markup.find(_MARKED, at + 1)
    for candidate in _FROZEN_START.finditer(markup):
        index = bisect.bisect_left(starts, candidate.start())
        if index < len(starts) and starts[index] == candidate.start():
            found.append(spans[index])
    frozen: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if not frozen or start >= frozen[-1][1]:
            frozen.append(_element_span(markup, start, end, spans, starts))
    return frozen


def _element_span(markup: str, start: int, opening_end: int, spans: list[tuple[int, int]], starts: list[int]) -> tuple[int, int]:
    """Where the comment or element whose first markup span is `start`–`opening_end` ends."""
    tag = _TAG.match(markup, start)
    if tag is None or tag.group(2).lower() in _ONE_SPAN or markup[opening_end - 2] == "/":
        return start, opening_end  # a comment, a void element, or raw text (its span reaches its end tag)
    name, depth = tag.group(2).lower(), 1
    for index in range(bisect.bisect_left(starts, opening_end), len(spans)):
        inner = _TAG.match(markup, spans[index][0])
        if inner is not None and inner.group(2).lower() == name:
            depth += -1 if inner.group(1) else 1
            if depth == 0:
                return start, spans[index][1]
    return start, len(markup)


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


def localize_links(markup: str, base_path: str, prefix: str) -> str:
    """Point links to pages (not to media) inside a body at their twins under `prefix`."""
    pattern = re.compile(f'href="{re.escape(base_path)}(?!{re.escape(prefix)})((?:[^"#?]*/|[^"#?]*\\.html)(?:[#?][^"]*)?)"')
    return pattern.sub(lambda m: f'href="{base_path}{prefix}{m.group(1)}"', markup)
