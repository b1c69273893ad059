"""Markdown -> HTML for one item, with the conventions editors bring from Word.

Python-Markdown does the parsing; our tree processors add what Chinese official
writing needs: hard-wrapped Chinese lines joined without a gap, GB/T 9704 numbered
headings (一、 （一） 1、 （1）) as real headings, appeal initiatives as a list with
their lead sentence, and links/images to other sources rewritten to their URLs.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

from .errors import Problems
from .library import Item, Library, Rendered, link_state, resolve_content_path, slugify
from .sources import CONTENT_DIR

SUMMARY_LENGTH = 120
POOR_SUMMARY = 20  # characters: shorter automatic summaries read badly in lists and share cards
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201d\u2026\u2014\U00020000-\U0003ffff"
_SOFT_BREAK = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_NUM = "一二三四五六七八九十百"
GBT_LEVELS = (  # (level, pattern of the number at the start of a paragraph)
    (1, re.compile(f"[{_NUM}]+、")),
    (2, re.compile(f"[（(][{_NUM}]+[）)]")),
    (3, re.compile(r"\d+[、．]")),
    (4, re.compile(r"[（(]\d+[）)]")),
)
_GBT_OPENINGS = frozenset(_NUM + "（(0123456789")  # what a GB/T 9704 number begins with
_INITIATIVE = re.compile(r"(\d+)、")
_SENTENCE_END = re.compile(r"[。！？!?]")
_CLAUSE_PUNCTUATION = re.compile(r"[，,；;。！？!?：:]")
# ATX or setext. A setext heading's line is taken whole (possessive `.++`): were it given back character by
# character in search of the underline, every paragraph would be read twice (half the time of `heading_texts`).
_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$|^(.++)\n {0,3}(?:=+|-+)[ \t]*$", re.M)
_HEADING_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`]|\s*\{[^}]*\}\s*$")  # what is not its text
_SKIP = {"pre", "code", "script", "style"}
_UNPUBLISHED = ("draft", "future")
_SAFE_SCHEMES = {"http", "https", "mailto", "tel"}

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "role", "aria-label", "aria-level", "tabindex", "value"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start"},
}


@dataclass
class _Context:
    """What the tree processors need for the item being converted; reset per item."""

    item: Item | None = None
    url_for: Callable[[str], str] = str
    problems: Problems = field(default_factory=Problems)
    text: str = ""
    links: dict[str, str] = field(default_factory=dict)


class MarkupRenderer:
    """Converts item bodies; one Markdown instance is reused across items (it is costly to build)."""

    def __init__(self, library: Library, url_for: Callable[[str], str], spell: Callable[[str], str] = slugify) -> None:
        """`spell` gives a heading's text in pinyin (the build state's `library.remembering`: pypinyin's
        dictionaries took a tenth of a one-article rebuild to load)."""
        self.library = library
        self.context = _Context(url_for=url_for)
        self.md = markdown.Markdown(
            extensions=[
                "tables", "footnotes", "attr_list", "fenced_code", "def_list", "abbr", "sane_lists",
                "toc", _FedpressExtension(self),
            ],
            extension_configs={
                "footnotes": {"BACKLINK_TITLE": "返回正文第 %d 处", "SUPERSCRIPT_TEXT": "[{}]"},
                "toc": {"slugify": lambda value, separator: _heading_id(spell(value)), "permalink": False, "toc_depth": "2-4"},
            },
            output_format="html",
        )

    def render(self, item: Item, problems: Problems) -> Rendered:
        self.context.item = item
        self.context.problems = problems
        self.context.text = ""
        self.context.links = {}
        self.md.reset()
        html = self.md.convert(item.body)
        if not self.library.config.allow_html and "<" in item.body:  # without "<" there is no raw HTML to clean
            html = sanitize(html)
        text = self.context.text
        summary = item.summary or summarize(text)
        digest = hashlib.blake2b(html.encode(), digest_size=16).hexdigest()
        links = tuple(sorted(self.context.links.items()))
        return Rendered(html, getattr(self.md, "toc", ""), summary, len(text), digest, links)

    # -- link resolution, called by _LinkProcessor --------------------------------------------

    def resolve(self, target: str, field_name: str, element_line: int) -> str:
        """A link target written in the body -> the URL it must have in the output."""
        scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", target)
        if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES and not self.library.config.allow_html:
            self.context.problems.error(self.context.item.source.rel, element_line, field_name,
                                        f"链接地址“{target[:40]}”不安全，网站只允许 http、https、mailto 和 tel 开头的链接。")
            return "#"
        if not target or target.startswith(("#", "//")) or scheme:
            return target
        if target.startswith("/"):
            return self.context.url_for(target.lstrip("/"))
        item = self.context.item
        library = self.library
        fragment = "#" + target.split("#", 1)[1] if "#" in target else ""
        content_dir = library.config.root / CONTENT_DIR
        found = resolve_content_path(item.source.content_rel, target, content_dir)
        problems = self.context.problems
        if found is None:
            what = "图片" if field_name == "image" else ("文章" if target.split("#")[0].endswith(".md") else "文件")
            problems.error(item.source.rel, element_line, field_name,
                           f"找不到链接的{what}“{target}”。路径相对于本文件所在文件夹或 content/，请检查文件名、大小写和 ../ 的层数。")
            return target
        target_url = resolved_url(library, found)
        self.context.links[found] = link_state(library, found)
        if found.endswith(".md"):
            linked = library.by_source.get(found) or library.unbuilt.get(found)
            if linked is None:
                problems.error(item.source.rel, element_line, field_name, f"链接的文件“{target}”有错误，无法生成网页，请先修正那个文件。")
                return target
            if linked.status in _UNPUBLISHED and item.status not in _UNPUBLISHED:
                problems.warn(item.source.rel, element_line, field_name,
                              f"链接指向尚未发布的内容（草稿或定时发布）“{target}”，发布前读者点开会看到“找不到页面”。")
        return self.context.url_for(target_url) + fragment

    def line_of(self, *needles: str) -> int:
        """The file line where the first of `needles` found is written in the body (for messages)."""
        item = self.context.item
        lines = item.body.split("\n")
        for needle in needles:
            for offset, line in enumerate(lines):
                if needle and needle in line:
                    return item.body_line + offset
        return item.body_line


def resolved_url(library: Library, content_rel: str) -> str:
    """The site-relative URL a link to `content_rel` gets ("" for an item with errors)."""
    if content_rel.endswith(".md"):
        linked = library.by_source.get(content_rel) or library.unbuilt.get(content_rel)
        return linked.url if linked else ""
    return library.media_url(content_rel) or content_rel


def heading_texts(body: str) -> set[str]:
    """The texts of a body's headings, as the table of contents will spell them for their ids, read
    off the Markdown (for `library.spell_ahead`): #-headings, underlined ones and short lines
    numbered as GB/T 9704 headings (`_numbered_paragraph`), their emphasis, links and attributes
    reduced to text. One read otherwise is spelled when the body is converted."""
    found = {match.group(1) or match.group(2) for match in _HEADING_LINE.finditer(body)}
    found.update(line for line in map(str.strip, body.split("\n"))
                 if line[:1] in _GBT_OPENINGS and len(line) <= 30 and _gbt_level(line) and not _CLAUSE_PUNCTUATION.search(line))
    return {" ".join(_HEADING_MARKUP.sub(lambda m: m.group(1) or "", text).split()) for text in found}


def _heading_id(slug: str) -> str:
    """Short ASCII ids for headings: the pinyin of their first words."""
    return "-".join(slug.split("-")[:6])


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        link_rel=None,
        filter_style_properties={"text-align"},
        url_schemes={"http", "https", "mailto", "tel"},
    )


def summarize(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """About `limit` characters of plain text, ending at a sentence end when one is near."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(cut)]
    if ends and ends[-1] >= limit * 0.6:
        return cut[: ends[-1]]
    return cut.rstrip("，、；：,;: ") + "……"


# -- Python-Markdown extension -------------------------------------------------------------------


class _FedpressExtension(Extension):
    def __init__(self, renderer: MarkupRenderer) -> None:
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Before inline parsing (priority 20), while paragraph text is still the editor's text.
        md.treeprocessors.register(_CjkJoinProcessor(md), "fedpress_cjk", 27)
        md.treeprocessors.register(_StructureProcessor(md, self.renderer), "fedpress_structure", 26)
        # After inline parsing, when links and images are elements.
        md.treeprocessors.register(_LinkProcessor(md, self.renderer), "fedpress_links", 4)
        md.treeprocessors.register(_TextProcessor(md, self.renderer), "fedpress_text", 3)


class _CjkJoinProcessor(Treeprocessor):
    """Join soft line breaks between two Chinese characters: browsers would show a space."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in _SKIP:
                continue
            if element.text and "\n" in element.text:
                element.text = _SOFT_BREAK.sub("", element.text)
            if element.tail and "\n" in element.tail:
                element.tail = _SOFT_BREAK.sub("", element.tail)


class _StructureProcessor(Treeprocessor):
    """GB/T 9704 numbered paragraphs -> headings; appeal initiatives -> an ordered list."""

    def __init__(self, md: markdown.Markdown, renderer: MarkupRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        is_appeal = self.renderer.context.item.type == "appeal"
        children = list(root)
        for index, element in enumerate(children):
            if element.tag in ("h2", "h3", "h4", "h5", "h6") and element.text:
                level = _gbt_level(element.text)
                if level:
                    element.set("class", _join_class(element.get("class"), f"gw gw-{level}"))
            if element.tag != "p" or not element.text or (len(element) and element.text.strip() == ""):
                continue
            if is_appeal and _INITIATIVE.match(element.text):
                self._initiative(root, children, index, element)
                continue
            level = _gbt_level(element.text)
            if level:
                _numbered_paragraph(element, level)

    def _initiative(self, root: etree.Element, children: list, index: int, element: etree.Element) -> None:
        previous = children[index - 1] if index else None
        if previous is not None and previous.tag == "ol" and previous.get("class") == "initiatives":
            target = previous
        else:
            target = etree.Element("ol", {"class": "initiatives"})
            root.insert(list(root).index(element), target)
        number = _INITIATIVE.match(element.text)
        item = etree.SubElement(target, "li", {"value": number.group(1)})
        num = etree.SubElement(item, "span", {"class": "num"})
        num.text = number.group(0)
        rest = element.text[number.end():]
        lead_end = rest.find("。")
        lead = etree.SubElement(item, "strong", {"class": "lead"})
        lead.text = rest[: lead_end + 1] if lead_end >= 0 else rest
        lead.tail = rest[lead_end + 1:] if lead_end >= 0 else ""
        for child in list(element):
            item.append(child)
        root.remove(element)
        children[index] = target


def _gbt_level(text: str) -> int:
    for level, pattern in GBT_LEVELS:
        if pattern.match(text):
            return level
    return 0


def _numbered_paragraph(element: etree.Element, level: int) -> None:
    """A short numbered line without punctuation is a heading; a longer one is a numbered
    paragraph whose short first sentence, if any, is its run-in heading (（一）群众推荐。…)."""
    text = element.text
    if len(element) == 0 and len(text.strip()) <= 30 and not _CLAUSE_PUNCTUATION.search(text):
        element.tag = f"h{level + 1}"
        element.set("class", _join_class(element.get("class"), f"gw gw-{level}"))
        return
    element.set("class", _join_class(element.get("class"), f"gw-p gw-{level}"))
    lead_end = _SENTENCE_END.search(text)
    if lead_end is not None and lead_end.end() <= 40 and text[lead_end.end():].strip():
        lead = etree.Element("strong", {"class": "gw-lead"})
        lead.text = text[: lead_end.end()]
        lead.tail = text[lead_end.end():]
        element.text = ""
        element.insert(0, lead)


def _join_class(existing: str | None, extra: str) -> str:
    return f"{existing} {extra}" if existing else extra


class _LinkProcessor(Treeprocessor):
    """Rewrite links and images to output URLs; report missing targets and alt text."""

    def __init__(self, md: markdown.Markdown, renderer: MarkupRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        renderer = self.renderer
        item = renderer.context.item
        for parent in root.iter():
            for index, element in enumerate(list(parent)):
                if element.tag == "a" and element.get("href"):
                    href = element.get("href")
                    element.set("href", renderer.resolve(href, "link", renderer.line_of(f"]({href}", href)))
                elif element.tag == "img":
                    src = element.get("src", "")
                    alt = element.get("alt", "")
                    line = renderer.line_of(f"![{alt}]({src}", src)
                    if not src.strip():
                        renderer.context.problems.error(item.source.rel, line, "image", f"图片“{alt}”没有写文件路径，请写成 ![{alt}](图片文件路径)。")
                    element.set("src", renderer.resolve(src, "image", line))
                    element.set("loading", "lazy")
                    element.set("decoding", "async")
                    if not element.get("alt", "").strip():
                        renderer.context.problems.warn(item.source.rel, line, "image",
                                                       f"图片“{src}”缺少替代文字。请写成 ![图片内容的简短描述]({src})，方便视障读者。")
                        element.set("alt", "")
                elif element.tag == "table" and parent.get("class") != "table-wrap":
                    wrapper = etree.Element("div", {"class": "table-wrap", "role": "region", "aria-label": "表格", "tabindex": "0"})
                    parent.remove(element)
                    parent.insert(index, wrapper)
                    wrapper.append(element)
                    wrapper.tail, element.tail = element.tail, None


class _TextProcessor(Treeprocessor):
    """Collect the body's plain text (footnotes excluded) for the summary."""

    def __init__(self, md: markdown.Markdown, renderer: MarkupRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        parts = []
        for element in root:
            if element.get("class") == "footnote" or element.tag in ("pre", "table", "div"):
                continue
            parts.append("".join(element.itertext()))
        # Raw HTML is still a placeholder at this point; it is not part of the readable text.
        self.renderer.context.text = HTML_PLACEHOLDER_RE.sub("", " ".join(parts))
