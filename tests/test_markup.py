"""Markdown conventions: CJK line joining, GB/T 9704 levels, appeal initiatives, summaries, sanitizing, links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from fedpress.config import load_config
from fedpress.errors import Problems
from fedpress.library import Schedule, build_library, slugify
from fedpress.markup import MarkupRenderer, heading_texts, summarize
from fedpress.reader import read_document
from fedpress.sources import find_sources

from conftest import NOW

CONFIG = """site:
  title: 测试妇联
  organisation: 测试妇联
  base_url: https://example.org/sub/
categories:
  - key: news
    name: 新闻
allow_html: {allow_html}
"""


def render(tmp_path: Path, body: str, kind: str = "article", allow_html: bool = False, extra_files: dict | None = None,
           spell: Callable[[str], str] = slugify):
    (tmp_path / "content/news").mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.yaml").write_text(CONFIG.format(allow_html=str(allow_html).lower()), encoding="utf-8")
    front = f"---\ntitle: 测试\ndate: 2024-01-01\ncategory: 新闻\ntype: {kind}\n---\n"
    (tmp_path / "content/news/a.md").write_text(front + body, encoding="utf-8")
    for name, data in (extra_files or {}).items():
        (tmp_path / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / name).write_bytes(data)
    problems = Problems()
    config = load_config(tmp_path, problems)
    sources = find_sources(tmp_path)
    docs = [read_document(s, problems) for s in sources if s.kind != "media"]
    library = build_library(config, docs, [s for s in sources if s.kind == "media"], Schedule(NOW), problems)
    item = library.by_source["news/a.md"]
    rendered = MarkupRenderer(library, lambda rel: config.base_path + rel, spell).render(item, problems)
    return lxml.html.fragment_fromstring(rendered.html, create_parent="div"), rendered, problems


def test_soft_breaks_between_chinese_are_joined_but_not_elsewhere(tmp_path: Path) -> None:
    html, _, _ = render(tmp_path, "妇联组织要充分\n发挥作用，\n积极整合 resources\nand people。\n\n```\n代码\n保留\n```\n")
    assert html.xpath("string(p[1])") == "妇联组织要充分发挥作用，积极整合 resources\nand people。"
    assert html.xpath("string(//code)") == "代码\n保留\n"


def test_gbt_levels_become_headings_and_run_in_leads(tmp_path: Path) -> None:
    body = "一、总体要求\n\n（一）加强领导。各单位要高度重视。\n\n1、细则\n\n（1）第一项内容，逗号说明；\n"
    html, _, _ = render(tmp_path, body)
    assert html.xpath("string(h2[@class='gw gw-1'])") == "一、总体要求"
    assert html.xpath("string(p[@class='gw-p gw-2']/strong[@class='gw-lead'])") == "（一）加强领导。"
    assert html.xpath("string(h4[@class='gw gw-3'])") == "1、细则"
    assert html.xpath("string(p[@class='gw-p gw-4'])") == "（1）第一项内容，逗号说明；"


def test_appeal_initiatives_form_one_list_with_leads(tmp_path: Path) -> None:
    body = "前言。\n\n1、第一条倡议。具体内容**加粗**。\n\n2、第二条倡议。内容。\n\n结语。\n"
    html, _, _ = render(tmp_path, body, kind="appeal")
    items = html.xpath("ol[@class='initiatives']/li")
    assert len(items) == 2 and len(html.xpath("ol")) == 1
    assert items[0].xpath("string(strong[@class='lead'])") == "第一条倡议。"
    assert items[0].xpath("string(span[@class='num'])") == "1、"
    assert items[0].xpath("string(strong[not(@class)])") == "加粗"
    assert [e.tag for e in html] == ["p", "ol", "p"]


def test_in_an_article_numbered_paragraphs_are_not_initiatives(tmp_path: Path) -> None:
    html, _, _ = render(tmp_path, "1、第一条内容很长，包含逗号。后面还有。\n")
    assert not html.xpath("ol") and html.xpath("p[@class='gw-p gw-3']")


def test_raw_html_is_sanitized_unless_allowed(tmp_path: Path) -> None:
    body = '<script>alert(1)</script>\n\n<p onclick="x()">文字<iframe src="https://evil"></iframe></p>\n'
    html, _, _ = render(tmp_path, body)
    assert not html.xpath("//script | //iframe | //@onclick")
    assert "文字" in html.text_content()
    allowed, _, _ = render(tmp_path / "allowed", body, allow_html=True)
    assert allowed.xpath("//script")


def test_links_images_and_their_problems(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n"
    body = "第一段。\n\n![图](../images/a.png)\n\n![](../images/a.png)\n\n[缺失](missing.md) 和 [外部](https://example.com/x)\n"
    html, _, problems = render(tmp_path, body, extra_files={"images/a.png": png})
    assert html.xpath("//img/@src") == ["/sub/images/a.png", "/sub/images/a.png"]
    assert html.xpath("//a/@href") == ["missing.md", "https://example.com/x"]
    messages = [str(p) for p in sorted(problems.items)]
    assert messages == [
        "content/news/a.md:11: image: 警告：图片“../images/a.png”缺少替代文字。请写成 ![图片内容的简短描述](../images/a.png)，方便视障读者。",
        "content/news/a.md:13: link: 找不到链接的文章“missing.md”。路径相对于本文件所在文件夹或 content/，请检查文件名、大小写和 ../ 的层数。",
    ]


@pytest.mark.parametrize(("source", "expected"), [
    ("短文。", "短文。"),
    ("甲" * 80 + "。" + "乙" * 80, "甲" * 80 + "。"),
    ("丙" * 200, "丙" * 120 + "……"),
    ("😀" * 130, "😀" * 120 + "……"),
])
def test_summary_counts_characters_and_prefers_sentence_ends(source: str, expected: str) -> None:
    assert summarize(source) == expected


def test_summary_comes_from_text_not_markup(tmp_path: Path) -> None:
    _, rendered, _ = render(tmp_path, "**加粗**的[链接](https://example.com)文字。" + "很长的内容" * 40)
    assert rendered.summary.startswith("加粗的链接文字。")
    assert "<" not in rendered.summary and len(rendered.summary) <= 122


def test_an_image_without_a_path_is_an_error(tmp_path: Path) -> None:
    _, _, problems = render(tmp_path, "第一段。\n\n![合影]()\n")
    assert [str(p) for p in problems.errors] == ["content/news/a.md:9: image: 图片“合影”没有写文件路径，请写成 ![合影](图片文件路径)。"]


def test_word_control_characters_become_line_breaks_or_vanish(tmp_path: Path) -> None:
    html, _, _ = render(tmp_path, "第一行\x0b第二行\x07。\n")
    assert html.xpath("string(p)") == "第一行第二行。"


def test_a_link_to_a_draft_warns_unless_the_linking_item_is_a_draft_too(tmp_path: Path) -> None:
    draft = "---\ntitle: 草稿\ndate: 2024-01-02\ncategory: 新闻\ndraft: true\n---\n草稿正文。\n"
    _, _, problems = render(tmp_path, "见[草稿](b.md)。\n", extra_files={"news/b.md": draft.encode()})
    assert [str(p) for p in problems.items] == [
        "content/news/a.md:7: link: 警告：链接指向尚未发布的内容（草稿或定时发布）“b.md”，发布前读者点开会看到“找不到页面”。"]


def test_unsafe_link_schemes_are_errors_even_without_raw_html(tmp_path: Path) -> None:
    html, _, problems = render(tmp_path, "点[这里](javascript:alert(1))和![图](data:image/png;base64,AAAA)。\n")
    assert [str(p) for p in problems.errors] == [
        "content/news/a.md:7: image: 链接地址“data:image/png;base64,AAAA”不安全，网站只允许 http、https、mailto 和 tel 开头的链接。",
        "content/news/a.md:7: link: 链接地址“javascript:alert(1)”不安全，网站只允许 http、https、mailto 和 tel 开头的链接。",
    ]
    assert "javascript" not in lxml.html.tostring(html, encoding="unicode")


def test_the_headings_read_off_the_markdown_are_those_the_conversion_spells(tmp_path: Path) -> None:
    """What `spell_ahead` is given for a body: every heading text the conversion spells for an id."""
    body = ("## 一、典型案例\n\n正文。\n\n二、下一步工作打算\n\n（一）有关**要求**\n\n带链接的[标题](https://example.org)\n---\n\n"
            "### 结尾 ###\n\n1、这是一个很长的句子，不会是标题。\n\n#### `第四级`标题 {.note}\n")
    spelled: list[str] = []
    render(tmp_path, body, spell=lambda text: spelled.append(text) or slugify(text))
    assert set(spelled) == {"一、典型案例", "二、下一步工作打算", "（一）有关要求", "带链接的标题", "结尾", "第四级标题"}
    assert set(spelled) <= heading_texts(body)
