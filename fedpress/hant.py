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
# Where what is never converted begins: comments, code and scripts, and elements marked so.
_FROZEN_START = re.compile(r"<(?:!--|(pre|code|script|style|kbd|samp|textarea)(?![\w-]))", re.I)
_RAW_TEXT = {"script", "style", "textarea"}  # elements whose content is text, never tags
_MARKED = 'translate="no"'
_TAG = re.compile(r"<([a-zA-Z][\w-]*)")
# A whole start or end tag, minding quotes: an attribute value may hold "<" or ">" (alt="报名>审核").
# (The loop is unrolled: every turn takes a quoted value whole, so a tag that never ends fails in linear time.)
_WHOLE_TAG = re.compile(r"""</?[a-zA-Z][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
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
        frozen = _frozen_spans(markup)
        next_frozen = 0  # the first frozen span that does not end before the current position
        edits: list[tuple[int, int, str]] = []  # (start, end, text to convert) in page order
        covered = 0  # where the last text node or tag looked at ends
        for run in _NON_ASCII.finditer(markup):
            at = run.start()
            if at < covered:
                continue
            while next_frozen < len(frozen) and frozen[next_frozen][1] <= at:
                next_frozen += 1
            if next_frozen < len(frozen) and frozen[next_frozen][0] <= at:
                covered = frozen[next_frozen][1]
                continue
            opened, tag_end = _tag_before(markup, at)
            if tag_end > at:  # inside a tag: only its readable attribute values
                edits += [(opened + start, opened + end, value) for start, end, value in _readable_values(markup[opened:tag_end])]
                covered = tag_end
            else:  # in a text node: the whole node, converted as one
                start = max(covered, tag_end, markup.rfind(">", 0, at) + 1)
                covered = markup.find("<", at) % (len(markup) + 1)
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


def _tag_before(markup: str, at: int) -> tuple[int, int]:
    """Where the last tag starting before `at` starts and ends ((0, 0) if there is none). A "<"
    that starts no tag (in an attribute value, or a stray one in text) is passed over."""
    opened = markup.rfind("<", 0, at)
    while opened >= 0:
        if tag := _WHOLE_TAG.match(markup, opened):
            return opened, tag.end()
        opened = markup.rfind("<", 0, opened)
    return 0, 0


def _frozen_spans(markup: str) -> list[tuple[int, int]]:
    """The extents, in page order, of comments and of the elements not to convert: code, scripts…
    and anything marked translate="no". What starts inside one of them (a "<code>" in a comment or a
    script) starts nothing."""
    starts = [(m.start(), m.group(1) or "") for m in _FROZEN_START.finditer(markup)]
    at = markup.find(_MARKED)
    while at >= 0:
        opened, tag_end = _tag_before(markup, at)
        if tag_end > at and (tag := _TAG.match(markup, opened)):
            starts.append((opened, tag.group(1)))
        at = markup.find(_MARKED, at + 1)
    spans: list[tuple[int, int]] = []
    for start, name in sorted(starts):
        if not spans or start >= spans[-1][1]:
            spans.append(_element_span(markup, start, name.lower()))
    return spans


def _element_span(markup: str, start: int, name: str) -> tuple[int, int]:
    """Where the comment (name "") or element beginning at `start` ends."""
    if not name:
        end = markup.find("-->", start + 4)
        return start, end + 3 if end >= 0 else len(markup)
    opening = _WHOLE_TAG.match(markup, start)
    opening_end = opening.end() if opening else len(markup)
    if name in _VOID or markup[opening_end - 2] == "/":
        return start, opening_end
    if name in _RAW_TEXT:  # its text is not markup: it ends at the first end tag
        end = re.compile(f"</{name}(?![\\w-])[^>]*>", re.I).search(markup, opening_end)
        return start, end.end() if end else len(markup)
    depth = 1
    for tag in re.compile(f"<(/?){name}(?![\\w-])[^>]*>", re.I).finditer(markup, opening_end):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return start, tag.end()
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
    if name.group(1).lower() == "meta" and "content" in attributes:
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
