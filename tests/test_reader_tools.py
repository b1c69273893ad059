"""Reader tools in real headless Chromium: font size, large print, print view and PDF, sharing, QR, read aloud, axe."""

from __future__ import annotations

import io
import json
import re
import statistics
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import axe_playwright_python
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from fedpress.templates import QrCodes

APPEAL = "/jinguo-fengcai/2022/guanai-xingdong/"
ARTICLE = "/funv-zhichuang/2023/minhu-woying/"
NOTICE = "/tongzhi-gonggao/2026/zuimei-jiating-tuijian/"
CANONICAL = "https://www.ymfulian.org.cn"
PAGE_KINDS = ["/", "/gongzuo-dongtai/", APPEAL, ARTICLE, NOTICE, f"{APPEAL}print/", "/404.html", "/search/", "/sitemap/"]
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")

MODES = {  # what the early script reads from localStorage
    "normal": {},
    "small": {"fedpress-font": "small"},
    "large": {"fedpress-font": "large"},
    "elder": {"fedpress-elder": "1"},
    "elder-large": {"fedpress-elder": "1", "fedpress-font": "large"},
}


@pytest.fixture
def context(chromium, sample_server):
    ctx = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=sample_server)
    yield ctx
    ctx.close()


def set_mode(context, mode: str) -> None:
    script = "".join(f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in MODES[mode].items())
    context.add_init_script(f"try {{ {script} }} catch (e) {{}}")


def body_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('.item-body p')).fontSize)")


def test_font_choice_applies_before_first_paint_and_persists(context) -> None:
    # Record the html element's state at the moment <body> first exists: that is before first paint.
    context.add_init_script("""
      new MutationObserver(function (records, observer) {
        if (document.body) {
          window.__fontAtBody = document.documentElement.getAttribute('data-font');
          observer.disconnect();
        }
      }).observe(document, {childList: true, subtree: true});
    """)
    page = context.new_page()
    page.goto(APPEAL)
    medium = body_font_px(page)
    assert medium >= 16
    page.get_by_role("button", name="大号字体").click()
    assert page.evaluate("document.documentElement.dataset.font") == "large"
    assert body_font_px(page) > medium * 1.15
    page.goto(ARTICLE)
    assert page.evaluate("window.__fontAtBody") == "large"
    assert page.get_by_role("button", name="大号字体").get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.evaluate("window.__fontAtBody") == "large"
    page.get_by_role("button", name="小号字体").click()
    page.goto("/")
    assert page.evaluate("window.__fontAtBody") == "small"


def test_large_print_mode_meets_the_elderly_friendly_rules(context) -> None:
    page = context.new_page()
    page.goto(ARTICLE)
    page.get_by_role("button", name="长辈模式").click()
    size = body_font_px(page)
    line_height = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.item-body p')).lineHeight)")
    assert size >= 18 and line_height >= 1.3 * size
    page.get_by_role("button", name="大号字体").click()
    largest = body_font_px(page)
    assert 28 <= largest <= 32
    page.reload()
    assert page.get_by_role("button", name="长辈模式").get_attribute("aria-pressed") == "true"
    assert body_font_px(page) == largest


@pytest.mark.parametrize("mode", list(MODES))
def test_no_horizontal_scrolling_at_390px(context, mode: str) -> None:
    set_mode(context, mode)
    page = context.new_page()
    for url in PAGE_KINDS:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (mode, url, width)


def test_pages_are_readable_without_javascript(chromium, sample_server) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=sample_server, java_script_enabled=False)
    page = context.new_page()
    page.goto(APPEAL)
    assert body_font_px(page) >= 16
    assert page.locator("h1").is_visible() and page.locator(".item-body").is_visible()
    assert not page.get_by_role("button", name="大号字体").is_visible()  # needs JavaScript, so not offered
    assert not page.get_by_role("button", name="复制链接").is_visible()
    assert page.locator("#page-url").input_value() == CANONICAL + APPEAL  # the address can still be copied by hand
    assert page.get_by_role("link", name="打印本页").is_visible()
    context.close()


def test_copy_link_puts_the_canonical_url_on_the_clipboard(context, sample_server) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sample_server)
    page = context.new_page()
    page.goto(APPEAL)
    page.get_by_role("button", name="复制链接").click()
    expect(page.locator(".copy-status")).to_have_text("链接已复制，可以粘贴给亲友。")
    assert page.evaluate("navigator.clipboard.readText()") == CANONICAL + APPEAL


def test_wechat_qr_code_decodes_to_the_canonical_url(context) -> None:
    page = context.new_page()
    for url in (APPEAL, NOTICE, "/zh-hant" + APPEAL):  # the Traditional twin's code is its own address
        page.goto(url)
        png = page.locator(".wechat img.qr").screenshot()
        results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [r.text for r in results] == [CANONICAL + url]
        assert ("掃一掃" if url.startswith("/zh-hant/") else "扫一扫") in page.locator(".wechat figcaption").inner_text()


@pytest.mark.parametrize("url", [
    "https://例子.中国/妇联/关爱行动/",  # not ASCII: bytes of UTF-8
    "https://www.ymfulian.org.cn/" + "jinguo-fengcai/2022/" * 12,  # long: a large version of the code
])
def test_qr_codes_of_unusual_addresses_decode(chromium, url: str) -> None:
    page = chromium.new_page()
    page.set_content(f"<style>img {{ width: 400px; height: auto; image-rendering: pixelated }}</style>{QrCodes().image(url, '二维码')}")
    png = page.locator("img.qr").screenshot()
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [url]
    page.close()


def test_share_links_are_plain_links_without_third_party_scripts(context) -> None:
    page = context.new_page()
    page.goto(APPEAL)
    scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    assert all(src.startswith(page.url.split("/jinguo")[0]) for src in scripts)
    hrefs = page.eval_on_selector_all(".share-links a", "nodes => nodes.map(n => n.href)")
    assert [urlsplit(h).netloc for h in hrefs] == ["service.weibo.com", "sns.qzone.qq.com", "connect.qq.com"]
    for href in hrefs:
        query = parse_qs(urlsplit(href).query)
        assert query["url"] == [CANONICAL + APPEAL]
        assert query["title"] == ["义马市妇联关于开展“关爱你我他(她)·温暖千万家”行动的倡议书"]
    og = page.eval_on_selector_all("meta[property^='og:']", "nodes => Object.fromEntries(nodes.map(n => [n.getAttribute('property'), n.content]))")
    assert og["og:url"] == CANONICAL + APPEAL and og["og:image"].startswith(CANONICAL) and og["og:description"]


def test_read_aloud_is_offered_only_where_speech_synthesis_exists(context, chromium, sample_server) -> None:
    page = context.new_page()
    page.goto(APPEAL)
    button = page.locator("[data-speak]")
    assert button.is_visible()
    button.click()
    assert button.inner_text() in ("暂停朗读", "朗读")  # headless Chromium may have no voice and finish at once
    without = chromium.new_context(base_url=sample_server)
    without.add_init_script("delete window.speechSynthesis; delete Window.prototype.speechSynthesis;")
    other = without.new_page()
    other.goto(APPEAL)
    assert not other.locator("[data-speak]").is_visible()
    without.close()


def test_printing_the_normal_page_hides_navigation_tools_and_share(context) -> None:
    page = context.new_page()
    page.goto(APPEAL)
    page.emulate_media(media="print")
    for selector in (".main-nav", ".reader-tools", ".item-tools", ".share", ".item-nav", ".breadcrumb"):
        assert not page.locator(selector).is_visible(), selector
    assert page.locator(".item-body").is_visible()


def test_print_view_pdf_of_an_appeal_is_an_official_document(context) -> None:
    page = context.new_page()
    page.goto(f"{APPEAL}print/")
    assert page.get_by_role("button", name="打印").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".print-bar").is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    # Chromium's PDF names some glyphs by their Kangxi radical (⼼ for 心): NFKC folds most of them
    # back (and full-width colons to ':'); radicals without a decomposition (⻢ for 马) are avoided below.
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in pdf.pages]
    whole = re.sub(r"\s+", "", "".join(texts))
    assert len(pdf.pages) == 4, [len(t) for t in texts]
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    full_page = [line for line in texts[1].split("\n") if not re.fullmatch(r"—\s*\d+\s*—", line.strip())]
    assert len(full_page) == 22  # GB/T 9704: 22 lines a page
    assert statistics.median(len(line) for line in full_page) == 28  # of 28 characters
    assert "妇联关于开展“关爱你我他(她)·温暖千万家”行动的倡议书" in whole
    assert whole.index("全市各级妇联组织") < whole.index("1、因地制宜开展关爱服务") < whole.index("6、科学防疫贡献家庭力量")
    assert whole.index("6、科学防疫贡献家庭力量") < whole.index("妇女联合会2022年12月2日")
    assert "本文网址:https://www.ymfulian.org.cn/jinguo-fengcai/2022/guanai-xingdong/" in whole
    assert "返回原文" not in whole and "Ctrl" not in whole
    for number, text in enumerate(texts, start=1):
        assert f"—{number}—" in re.sub(r"\s+", "", text), number


def test_tap_targets_are_at_least_44px(context) -> None:
    page = context.new_page()
    for url in ("/", "/gongzuo-dongtai/", APPEAL):
        page.goto(url)
        small = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.main-nav a, .reader-tools button, .item-tools .tool, .share a, .share button, .pagination a, .breadcrumb a, .footer-links a, .record a, .more a'))
          .filter(e => e.offsetParent !== null)
          .map(e => [e.textContent.trim(), e.getBoundingClientRect().width, e.getBoundingClientRect().height])
          .filter(([, w, h]) => w < 44 || h < 44)""")
        assert small == [], (url, small)


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_axe_finds_no_wcag_21_aa_violation(context, mode: str) -> None:
    set_mode(context, mode)
    page = context.new_page()
    for url in PAGE_KINDS:
        page.goto(url)
        page.add_script_tag(content=AXE_SOURCE)
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                                  .then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3)]))""")
        assert result == [], (mode, url, result)
