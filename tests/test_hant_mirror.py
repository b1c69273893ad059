"""The Traditional Chinese mirror of the whole sample site, checked page pair by page pair."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import opencc
import pytest
import zxingcpp
from PIL import Image

from fedpress.config import HantSettings
from fedpress.hant import Converter, localize_links

from conftest import SITES, build, copy_site

HANT = "zh-hant"
# Elements whose text is not converted: code, scripts and what is marked translate="no" (the 简体 switch).
UNCONVERTED = {"pre", "code", "script", "style", "kbd", "samp", "textarea"}
READABLE_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
READABLE_META = {"description", "og:title", "og:description", "og:site_name", "sitename", "columnname", "articletitle", "contentsource"}


def pairs(output: Path) -> list[tuple[Path, Path]]:
    simplified = [p for p in sorted(output.rglob("*.html")) if p.relative_to(output).parts[0] != HANT]
    return [(p, output / HANT / p.relative_to(output)) for p in simplified]


def readable(doc: lxml.html.HtmlElement) -> tuple[list[str], list[str]]:
    """(texts that must be converted, texts that must stay as they are), in document order."""
    converted, kept = [], []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        frozen = any(a.tag in UNCONVERTED or a.get("translate") == "no" for a in element.iterancestors()) \
            or element.tag in UNCONVERTED or element.get("translate") == "no"
        if element.text and element.text.strip():
            (kept if frozen else converted).append(element.text)
        if element.tail and element.tail.strip():
            parent_frozen = element.getparent() is not None and (
                element.getparent().tag in UNCONVERTED or element.getparent().get("translate") == "no"
                or any(a.tag in UNCONVERTED or a.get("translate") == "no" for a in element.getparent().iterancestors()))
            (kept if parent_frozen else converted).append(element.tail)
        for attribute in READABLE_ATTRIBUTES:
            if element.get(attribute) and not frozen:
                converted.append(element.get(attribute))
        if element.tag == "meta" and (element.get("name") or element.get("property") or "").lower() in READABLE_META:
            converted.append(element.get("content"))
    return converted, kept


def urls(doc: lxml.html.HtmlElement) -> list[str]:
    return doc.xpath("//@href | //@src")


@pytest.fixture(scope="module")
def converter() -> Converter:
    return Converter(HantSettings("s2t", (("范晓萍", "范曉萍"),)))


def test_every_page_has_a_twin_at_the_same_path(sample_output: Path) -> None:
    found = pairs(sample_output)
    assert len(found) > 100
    for _, traditional in found:
        assert traditional.is_file(), traditional
    twins = {t for _, t in found}
    assert {p for p in (sample_output / HANT).rglob("*.html")} == twins  # and nothing else


def test_traditional_text_is_exactly_the_conversion_of_the_simplified_text(sample_output: Path, converter: Converter) -> None:
    for simplified, traditional in pairs(sample_output):
        hans, hant = lxml.html.fromstring(simplified.read_bytes()), lxml.html.fromstring(traditional.read_bytes())
        hans_converted, hans_kept = readable(hans)
        hant_converted, hant_kept = readable(hant)
        # Addresses shown as text (本文网址：…) are the twin's own: compare them without the prefix.
        assert [t.replace("/zh-hant/", "/") for t in hant_converted] == converter.texts(hans_converted), simplified
        assert len(hant_kept) == len(hans_kept), simplified


def test_urls_code_and_scripts_are_untouched(sample_output: Path, converter: Converter) -> None:
    for simplified, traditional in pairs(sample_output):
        hans, hant = lxml.html.fromstring(simplified.read_bytes()), lxml.html.fromstring(traditional.read_bytes())
        for a, b in zip(urls(hans), urls(hant), strict=True):
            if "zh-hant/" in a:  # the 繁體 switch and the zh-Hant alternate point the other way
                a, b = b, a
            if a.startswith("data:"):  # the QR code: the twin's is of the twin's address
                a, b = _qr_text(a), _qr_text(b)
            # a page's twin is under zh-hant/; media, static files and other sites are shared
            assert b in (a, a.replace("//www.ymfulian.org.cn/", "//www.ymfulian.org.cn/zh-hant/", 1), "/zh-hant" + a) \
                or _share_link_twin(a, converter) == _parsed(b), (simplified, a, b)
        assert [e.text_content() for e in hans.xpath("//pre | //code | //script")] == \
               [e.text_content() for e in hant.xpath("//pre | //code | //script")], simplified


def _qr_text(data_uri: str) -> str:
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.partition("base64,")[2])))
    codes = zxingcpp.read_barcodes(image.convert("L").resize((image.width * 8, image.height * 8)))
    assert len(codes) == 1, data_uri
    return codes[0].text


def _parsed(url: str) -> tuple[str, str, dict]:
    parts = urlsplit(url)
    return parts.netloc, parts.path, parse_qs(parts.query)


def _share_link_twin(url: str, converter: Converter) -> tuple[str, str, dict]:
    """A share link of the twin: the twin's address and the title in Traditional script."""
    netloc, path, query = _parsed(url)
    if "url" in query:
        query["url"] = [query["url"][0].replace("//www.ymfulian.org.cn/", "//www.ymfulian.org.cn/zh-hant/", 1)]
        for key in ("title", "summary"):
            if key in query:
                query[key] = [converter.text(query[key][0])]
    return netloc, path, query


def test_no_garbage_and_no_simplified_leftovers(sample_output: Path, converter: Converter) -> None:
    to_simplified = opencc.OpenCC("t2s")
    pinyin_in_brackets = re.compile(r"[\u4e00-\u9fff]\((?:[a-zü]+[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]?[a-z]*)\)")
    for _, traditional in pairs(sample_output):
        converted, _ = readable(lxml.html.fromstring(traditional.read_bytes()))
        text = "\n".join(converted)
        assert not pinyin_in_brackets.search(text), traditional
        # Back to Simplified and forth again gives the same text: no Simplified character was left behind.
        assert converter.text(to_simplified.convert(text)) == text, traditional


def test_federation_vocabulary_is_converted_correctly(sample_output: Path) -> None:
    appeal = (sample_output / HANT / "jinguo-fengcai/2022/guanai-xingdong/index.html").read_text(encoding="utf-8")
    assert "全市婦聯系統" in appeal and "婦聯繫統" not in appeal
    article = (sample_output / HANT / "weiquan-fuwu/2024/hunyin-tiaojie/index.html").read_text(encoding="utf-8")
    assert "范曉萍" in article and "範曉萍" not in article  # the site's override for a surname


def test_hreflang_pairs_are_complete_and_reciprocal(sample_output: Path) -> None:
    base = "https://www.ymfulian.org.cn/"
    for simplified, traditional in pairs(sample_output):
        if simplified.parent.name == "print":
            continue
        hans, hant = lxml.html.fromstring(simplified.read_bytes()), lxml.html.fromstring(traditional.read_bytes())
        links = [{link.get("hreflang"): link.get("href") for link in doc.xpath("//link[@rel='alternate'][@hreflang]")} for doc in (hans, hant)]
        assert links[0] == links[1] and set(links[0]) == {"zh-Hans", "zh-Hant"}, simplified
        assert hans.xpath("//link[@rel='canonical']/@href")[0] == links[0]["zh-Hans"]
        assert hant.xpath("//link[@rel='canonical']/@href")[0] == links[0]["zh-Hant"]
        assert links[0]["zh-Hant"] == links[0]["zh-Hans"].replace(base, base + "zh-hant/")
        assert hans.get("lang") == "zh-CN" and hant.get("lang") == "zh-Hant"


def test_the_switch_points_at_the_twin_and_reads_in_its_own_script(sample_output: Path) -> None:
    for simplified, traditional in pairs(sample_output):
        if simplified.parent.name == "print":
            continue
        hans, hant = lxml.html.fromstring(simplified.read_bytes()), lxml.html.fromstring(traditional.read_bytes())
        to_hant = hans.xpath("//a[@class='script-switch']")[0]
        to_hans = hant.xpath("//a[@class='script-switch']")[0]
        assert (to_hant.text, to_hant.get("lang")) == ("繁體", "zh-Hant")
        assert (to_hans.text, to_hans.get("lang")) == ("简体", "zh-Hans")
        rel = simplified.relative_to(sample_output).as_posix().removesuffix("index.html")
        assert to_hant.get("href") == f"/{HANT}/{rel}" and to_hans.get("href") == f"/{rel}"


def test_the_traditional_qr_code_encodes_the_twin(sample_output: Path) -> None:
    hant = lxml.html.fromstring((sample_output / HANT / "jinguo-fengcai/2022/guanai-xingdong/index.html").read_bytes())
    assert hant.xpath("//input[@id='page-url']/@value") == ["https://www.ymfulian.org.cn/zh-hant/jinguo-fengcai/2022/guanai-xingdong/"]
    hans = lxml.html.fromstring((sample_output / "jinguo-fengcai/2022/guanai-xingdong/index.html").read_bytes())
    assert hant.xpath("//img[@class='qr']/@src") != hans.xpath("//img[@class='qr']/@src")
    assert hant.xpath("//img[@class='qr']/@alt") == ["本頁網址的二維碼"]


@pytest.mark.parametrize(("profile", "lang", "expected"), [
    ("s2t", "zh-Hant", "着力"), ("s2tw", "zh-Hant-TW", "著力"), ("s2twp", "zh-Hant-TW", "著力"), ("s2hk", "zh-Hant-HK", "着力"),
])
def test_profiles_set_the_language_tag_and_regional_forms(tmp_path: Path, profile: str, lang: str, expected: str) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"traditional:\n  profile: {profile}\n")
    (site / "content/news/zhuoli.md").write_text("---\ntitle: 着力推进\ndate: 2025-05-01\ncategory: 工作动态\n---\n着力推进工作。\n", encoding="utf-8")
    build(site, tmp_path / "out")
    doc = lxml.html.fromstring((tmp_path / "out" / HANT / "news/2025/05/zhuoli/index.html").read_bytes())
    assert doc.get("lang") == lang
    assert doc.xpath("//h1")[0].text == f"{expected}推進"
    assert doc.xpath("//link[@hreflang]/@hreflang") == ["zh-Hans", lang]
    # sub-path hosting: the twin's links carry both the site's path and zh-hant/
    assert doc.xpath("//link[@rel='canonical']/@href") == ["https://example.org.cn/fulian/zh-hant/news/2025/05/zhuoli/"]


def test_body_links_to_pages_move_to_the_twin_but_media_stay_shared() -> None:
    body = '<a href="/f/news/a/">甲</a><a href="/f/news/a/#x">乙</a><a href="/f/media/a.pdf">丙</a><img src="/f/media/b.png"><a href="/f/404.html">丁</a>'
    assert localize_links(body, "/f/", "zh-hant/") == (
        '<a href="/f/zh-hant/news/a/">甲</a><a href="/f/zh-hant/news/a/#x">乙</a><a href="/f/media/a.pdf">丙</a>'
        '<img src="/f/media/b.png"><a href="/f/zh-hant/404.html">丁</a>')


def test_a_site_without_the_mirror_has_no_twin_and_no_switch(tmp_path: Path) -> None:
    build(SITES / "subpath", tmp_path / "out")
    assert not (tmp_path / "out" / HANT).exists()
    doc = lxml.html.fromstring((tmp_path / "out/news/2025/03/one/index.html").read_bytes())
    assert not doc.xpath("//a[@class='script-switch'] | //link[@hreflang]")


def test_the_switch_lands_on_the_twin_in_chromium(chromium, sample_server) -> None:
    page = chromium.new_page()
    page.goto(sample_server + "/jinguo-fengcai/2022/guanai-xingdong/")
    page.get_by_role("link", name="繁體").click()
    page.wait_for_url(sample_server + "/zh-hant/jinguo-fengcai/2022/guanai-xingdong/")
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert page.locator("h1").inner_text() == "義馬市婦聯關於開展“關愛你我他(她)·溫暖千萬家”行動的倡議書"
    page.get_by_role("link", name="首頁").first.click()
    page.wait_for_url(sample_server + "/zh-hant/")  # navigation stays in the Traditional site
    page.get_by_role("link", name="简体").click()
    page.wait_for_url(sample_server + "/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.close()


def test_only_readable_text_of_a_page_is_converted(converter: Converter) -> None:
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><title>妇联简讯</title>'
        '<meta name="description" content="妇联工作"><meta property="og:url" content="https://例子.cn/妇联/">'
        "<style>.a::after{content:'妇联'}</style><script>const 妇联 = '妇联';</script></head><body>"
        '<!-- 妇联 注释 --><h1 id="妇联" title=\'妇联标题\' data-note="妇联">妇联 2023 年<b>工作</b>总结</h1>'
        '<p><a href="/妇联/" aria-label="妇联首页">进入妇联</a> &amp; 发展</p>'
        '<pre><code>妇联 = 1</code></pre><p>代码 <code>妇联</code> 之后</p>'
        '<div translate="no">简体<div>妇联</div>还是简体</div><p>后面的妇联</p>'
        '<input translate="no" placeholder="妇联"><input placeholder=妇联搜索><img alt="妇联 &quot;图片&quot;" src="妇联.png">'
        "</body></html>"
    )
    expected = (
        '<!DOCTYPE html><html lang="zh-CN"><head><title>婦聯簡訊</title>'
        '<meta name="description" content="婦聯工作"><meta property="og:url" content="https://例子.cn/妇联/">'
        "<style>.a::after{content:'妇联'}</style><script>const 妇联 = '妇联';</script></head><body>"
        '<!-- 妇联 注释 --><h1 id="妇联" title=\'婦聯標題\' data-note="妇联">婦聯 2023 年<b>工作</b>總結</h1>'
        '<p><a href="/妇联/" aria-label="婦聯首頁">進入婦聯</a> &amp; 發展</p>'
        '<pre><code>妇联 = 1</code></pre><p>代碼 <code>妇联</code> 之後</p>'
        '<div translate="no">简体<div>妇联</div>还是简体</div><p>後面的婦聯</p>'
        '<input translate="no" placeholder="妇联"><input placeholder=婦聯搜索><img alt="婦聯 &quot;圖片&quot;" src="妇联.png">'
        "</body></html>"
    )
    assert converter.page(page) == expected


@pytest.mark.parametrize(("page", "expected"), [
    ("<p><!-- 旧的 <code> 块 --></p><p>简体中文</p>", "<p><!-- 旧的 <code> 块 --></p><p>簡體中文</p>"),
    ('<!-- <p translate="no"> --><p>后来</p>', '<!-- <p translate="no"> --><p>後來</p>'),
    ("<script>var s = '<pre>';</script><p>发展</p>", "<script>var s = '<pre>';</script><p>發展</p>"),
    # <!--> and <!---> are whole (empty) comments, as browsers read them
    ("<!--><p>发展</p><!-- 注释 -->", "<!--><p>發展</p><!-- 注释 -->"),
    ("<!---><p>发展</p>-->", "<!---><p>發展</p>-->"),
    ("<style>a::after{content:'<pre'}</style><p>发展</p>", "<style>a::after{content:'<pre'}</style><p>發展</p>"),
    ("<code-block>发展</code-block><p translate=\"no\">简体<p-x>简体</p-x>简体</p><p>发展</p>",
     "<code-block>發展</code-block><p translate=\"no\">简体<p-x>简体</p-x>简体</p><p>發展</p>"),
    ('<meta name="" property="og:title" content="发展">', '<meta name="" property="og:title" content="發展">'),
    # "<" and ">" inside attribute values end no tag (sanitized bodies keep them unescaped there)
    ('<p><img alt="报名>审核>公示" src="/媒体/流程图.png">发展</p>', '<p><img alt="報名>審覈>公示" src="/媒体/流程图.png">發展</p>'),
    ('<a title="甲<乙" href="/妇联/">后来</a>', '<a title="甲<乙" href="/妇联/">後來</a>'),
    ('<p>1 < 2 的发展</p><a href="/妇联/">后来</a>', '<p>1 < 2 的發展</p><a href="/妇联/">後來</a>'),
    ('<code title="a>b">妇联</code><p>发展</p>', '<code title="a>b">妇联</code><p>發展</p>'),
    ('<span data-x="1>2" translate="no">简体</span><p>发展</p>', '<span data-x="1>2" translate="no">简体</span><p>發展</p>'),
    ('<img alt="a<b" src="/图.png"><img title="标题" alt="流程>审核">', '<img alt="a<b" src="/图.png"><img title="標題" alt="流程>審覈">'),
    ('<img alt="a<b" src="x.png">发展<img alt="c>d">', '<img alt="a<b" src="x.png">發展<img alt="c>d">'),
    ('<img alt="<b>报名</b>" src="/媒体/图.png">', '<img alt="<b>報名</b>" src="/媒体/图.png">'),
    ('<p><img alt="见 <code>" src="/图.png">发展</p>', '<p><img alt="見 <code>" src="/图.png">發展</p>'),
    ("<a title=it's href=/妇联/>发展</a><p>后来</p>", "<a title=it's href=/妇联/>發展</a><p>後來</p>"),
])
def test_what_looks_like_a_tag_boundary_inside_a_comment_script_or_value_is_none(converter: Converter, page: str, expected: str) -> None:
    assert converter.page(page) == expected


def test_pages_converted_together_are_each_as_converted_alone(converter: Converter) -> None:
    pages = ["<p>发展</p><code>发展</code>", "<p>only ASCII</p>", "", '<div translate="no">简体<div>发展</div></div><img alt="头发">',
             "<p>发展</p>", "<p>全市妇联系统</p><!-- 妇联 -->后来"]
    alone = [converter.page(page) for page in pages]
    assert alone[0] == "<p>發展</p><code>发展</code>" and alone[3].endswith('<img alt="頭髮">')
    assert Converter(converter.settings).pages(pages) == alone
