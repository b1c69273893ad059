"""A page and its Traditional twin rendered once, for both scripts (fedpress/twins.py): the pages are
byte for byte those of rendering each for itself, and a template that uses the script in a way the
placeholders cannot stand for is rendered twice, as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedpress.config import BuildOptions
from fedpress.pipeline import check_site, page_renderer
from fedpress.plan import render_order, twins_of

from conftest import MINIMAL_CONFIG, NOW, REPO, SITES, build, copy_site, tree

ARTICLE = """---
title: 全市妇联系统开展“巾帼志愿服务月”活动
date: 2026-03-05 09:00
category: 工作动态
tags: [志愿服务]
---
全市各级妇联组织积极行动。详见[另一篇](other.md)与[通知](/notices/)。
"""
OTHER = """---
title: 关于开展家庭教育宣传周活动的通知
date: 2026-03-01
category: 通知公告
type: notice
---
各县（市、区）妇联：现将有关事项通知如下。
"""


def _renderer_and_pairs(site: Path):
    prepared = check_site(BuildOptions(site=site, now=NOW))
    return page_renderer(prepared), twins_of(prepared.jobs), render_order(prepared.jobs)


@pytest.mark.parametrize("name", ["sample", "subpath"])
def test_a_page_and_its_twin_rendered_together_are_those_rendered_apart(tmp_path: Path, name: str) -> None:
    site = REPO
    if name == "subpath":  # a site under a sub-path, raw HTML allowed, with its mirror on
        site = copy_site(SITES / "subpath", tmp_path / "subpath")
        with (site / "config.yaml").open("a", encoding="utf-8") as config:
            config.write("traditional:\n  enabled: true\n  profile: s2twp\n")
    renderer, pairs, _ = _renderer_and_pairs(site)
    assert len(pairs) > 10
    for page, twin in pairs:
        together = renderer.together(page)
        assert together is not None, page.path  # the default theme never needs the second rendering
        assert list(together) == [renderer._filled_template(page), renderer._filled_template(twin)], page.path
        assert renderer.render_many([page, twin]) == [renderer.render(page), renderer.render(twin)], page.path


def _site_with_footer(tmp_path: Path, footer: str) -> Path:
    site = tmp_path / "site"
    (site / "content/news").mkdir(parents=True)
    (site / "content/notices").mkdir()
    (site / "config.yaml").write_text(MINIMAL_CONFIG + "traditional:\n  enabled: true\n", encoding="utf-8")
    (site / "content/news/2026-03-05-zhiyuan.md").write_text(ARTICLE, encoding="utf-8")
    (site / "content/news/other.md").write_text(OTHER.replace("通知公告", "工作动态"), encoding="utf-8")
    (site / "content/notices/2026-03-01-tongzhi.md").write_text(OTHER, encoding="utf-8")
    (site / "templates/partials").mkdir(parents=True)
    theme_footer = (REPO / "themes/default/templates/partials/footer.html").read_text(encoding="utf-8")
    (site / "templates/partials/footer.html").write_text(theme_footer + footer, encoding="utf-8")
    return site


# (what a site's template does with the script, whether one rendering can stand for both pages)
TEMPLATES = [
    ('{% if variant.key == "hant" %}<p>繁體版</p>{% endif %}', False),
    ("{% if variant.prefix %}<p>繁體版</p>{% endif %}", False),
    ("<p>{{ variant.lang | upper }}</p>", False),
    ('{% if url(job.url) == "/" %}<p>首页</p>{% endif %}', False),
    ("{% for other in variants if other.key != variant.key %}<a href=\"{{ url_in(other, job.url) }}\">{{ other.label }}</a>{% endfor %}", False),
    ("{% if variant == variants[0] %}<p>简体版</p>{% endif %}", False),
    ("<p>{{ in_script(site.title) }}</p>", False),
    ("<script>var prefix = {{ variant.prefix | tojson }};</script>", False),
    ("<p>{{ url(variant.prefix) }}</p>", True),
    ("<p>{{ {'u': absolute(job.url), 't': in_script(site.title)} | urlencode }}</p>", True),
    ('<p lang="{{ variant.hreflang }}">{{ variant.label }} {{ url(variant.prefix ~ "rss.xml") | urlencode }}</p>', True),
]


@pytest.mark.parametrize(("footer", "shared"), TEMPLATES, ids=[f"case{i}" for i in range(len(TEMPLATES))])
def test_a_template_that_tells_the_scripts_apart_is_rendered_for_each(tmp_path: Path, footer: str, shared: bool) -> None:
    site = _site_with_footer(tmp_path, footer)
    renderer, pairs, jobs = _renderer_and_pairs(site)
    assert pairs
    for page, twin in pairs:
        with_footer = page.template != "print.html"  # print views have no footer
        assert (renderer.together(page) is not None) == (shared or not with_footer), page.path
        # A template that could not render for both is not tried again; one that could stays shared.
        assert (page.template in renderer.unshared) == (not shared and with_footer), page.path
        assert renderer.render_many([page, twin]) == [renderer.render(page), renderer.render(twin)], page.path
    # The whole build, whose chunks hold pages and twins together, gives what rendering them apart gives.
    build(site, tmp_path / "output")
    for job, content in zip(jobs, [renderer.render(job) for job in jobs], strict=True):
        if job.template and not job.path.endswith((".xml", ".txt")):
            assert (tmp_path / "output" / job.path).read_bytes() == content, job.path


def test_a_site_with_the_old_switch_still_links_each_page_to_its_twin(tmp_path: Path) -> None:
    site = _site_with_footer(tmp_path, "")
    (site / "templates/partials/script_switch.html").write_text(
        '{% for other in variants if other.key != variant.key %}<a class="script-switch" href="{{ url_in(other, job.url) }}">'
        "{{ other.label }}</a>{% endfor %}\n", encoding="utf-8")
    output = tmp_path / "output"
    build(site, output)
    files = tree(output)
    assert b'href="/zh-hant/news/2026/zhiyuan/">' in files["news/2026/zhiyuan/index.html"]
    assert b'href="/news/2026/zhiyuan/">' in files["zh-hant/news/2026/zhiyuan/index.html"]


def test_a_sample_site_copy_builds_the_same_with_workers_as_in_one_process(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    build(site, tmp_path / "one", workers=1)
    build(site, tmp_path / "two", workers=2)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
