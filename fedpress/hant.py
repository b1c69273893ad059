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
import html
import json
import re
import tempfile
from pathlib import Path

from .config import HantSettings

__all__ = ["Converter", "HantSettings"]

PHRASES_FILE = Path(__file__).resolve().parent / "data" / "hant_phrases.txt"
_SEPARATOR = "\ue000"  # a private-use character: OpenCC leaves it alone and no page contains it
_REMEMBERED_LENGTH = 200
_READABLE_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "label")
_READABLE_META = {"description", "keywords", "og:title", "og:description", "og:site_name", "sitename", "columnname",
                  "articletitle", "contentsource", "author"}
_SKIP_ELEMENTS = {"pre", "code", "script", "style", "kbd", "samp", "textarea"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_TAG_NAME = re.compile(r"<\s*([a-zA-Z0-9-]+)")
_MAY_BE_READABLE = re.compile(r"\b(?:title|alt|aria-label|placeholder|label|content)=")
_TOKEN = re.compile(r"<!--.*?-->|<![^>]*>|<[^>]+>|[^<]+", re.S)
_ATTRIBUTE = re.compile(r'''([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?''')


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
        return self._opencc.convert(text)

    def texts(self, texts: list[str]) -> list[str]:
        """Convert many strings in one OpenCC call (much faster than one call each). Short strings
        (navigation, titles and summaries repeated on many pages) are remembered for the build."""
        known = self._known
        fresh = [t for t in dict.fromkeys(texts) if t not in known]
        if fresh:
            converted = self._opencc.convert(_SEPARATOR.join(fresh)).split(_SEPARATOR)
            if len(converted) != len(fresh):  # cannot happen unless OpenCC maps the separator; be safe
                converted = [self._opencc.convert(t) for t in fresh]
            local = dict(zip(fresh, converted, strict=True))
            known.update((t, c) for t, c in local.items() if len(t) <= _REMEMBERED_LENGTH)
            return [known.get(t) or local[t] for t in texts]
        return [known[t] for t in texts]

    def page(self, markup: str) -> str:
        """Convert the readable text of an HTML page, leaving markup, URLs and code untouched."""
        tokens = _TOKEN.findall(markup)
        slots: list[tuple[int, str]] = []  # (token index, text to convert)
        skip_depth: list[str] = []
        for index, token in enumerate(tokens):
            if not token.startswith("<"):
                if not skip_depth and not token.isspace():
                    slots.append((index, token))
                continue
            if token.startswith(("<!", "<?")):
                continue
            if token.startswith("</"):
                name = token[2:-1].strip().lower()
                if skip_depth and skip_depth[-1] == name:
                    skip_depth.pop()
                continue
            name = _TAG_NAME.match(token).group(1).lower()
            if skip_depth or name in _SKIP_ELEMENTS or 'translate="no"' in token:
                if name not in _VOID and not token.endswith("/>"):
                    skip_depth.append(name)
                continue
            if "=" in token and _MAY_BE_READABLE.search(token):  # most tags carry nothing to read
                for value in _readable_values(name, _parse_attributes(token)):
                    slots.append((index, value))
        converted = self.texts([html.unescape(text) if tokens[i].startswith("<") else text for i, text in slots])
        for (index, original), new in zip(slots, converted, strict=True):
            if tokens[index].startswith("<"):
                new = html.escape(new, quote=True)
                tokens[index] = tokens[index].replace(original, new, 1)
            else:
                tokens[index] = new
        return "".join(tokens)


def _parse_attributes(token: str) -> dict[str, str]:
    _, _, rest = token[1:-1].rstrip("/").partition(" ")
    attributes = {}
    for match in _ATTRIBUTE.finditer(rest):
        value = match.group(2) or ""
        attributes[match.group(1).lower()] = value[1:-1] if value[:1] in "\"'" else value
    return attributes


def _readable_values(name: str, attributes: dict[str, str]) -> list[str]:
    """The raw (still escaped) attribute values of this tag that people read."""
    values = [attributes[a] for a in _READABLE_ATTRIBUTES if attributes.get(a)]
    if name == "meta" and attributes.get("content"):
        key = (attributes.get("name") or attributes.get("property") or "").lower()
        if key in _READABLE_META:
            values.append(attributes["content"])
    return values


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
