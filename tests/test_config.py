"""config.yaml -> SiteConfig: values and defaults, and every mistake named with its key and line."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from fedpress.config import SiteConfig, load_config
from fedpress.errors import Problems

from conftest import MINIMAL_CONFIG

MINIMAL = MINIMAL_CONFIG


def load(tmp_path: Path, text: str | bytes) -> tuple[SiteConfig | None, list[str]]:
    (tmp_path / "config.yaml").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    problems = Problems()
    config = load_config(tmp_path, problems)
    return config, [str(p) for p in problems.errors]  # in the order they are printed


def errors(tmp_path: Path, text: str | bytes) -> list[str]:
    config, messages = load(tmp_path, text)
    assert config is None
    return messages


def test_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    config, messages = load(tmp_path, MINIMAL)
    assert messages == []
    assert config.root == tmp_path
    assert (config.title, config.organisation) == ("测试市妇联", "测试市妇女联合会")
    assert config.base_url == "https://example.org.cn/"
    assert (config.base_path, config.domain) == ("/", "example.org.cn")
    assert config.language == "zh-CN"
    assert config.timezone == ZoneInfo("Asia/Shanghai")
    assert (config.per_page, config.permalink, config.allow_html, config.theme) == (20, "/{category}/{year}/{slug}/", False, "default")
    assert config.description == "" and config.default_image == ""
    assert config.footer.icp == "" and config.footer.host == ""


def test_every_setting_is_read(tmp_path: Path) -> None:
    text = MINIMAL.replace("  base_url: https://example.org.cn/\n", """\
  base_url: https://example.org.cn/fulian
  description: 测试网站
  language: zh-CN
  timezone: Asia/Urumqi
  default_image: images/share.png
""") + """\
per_page: 10
permalink: /{year}/{month}/{day}/{slug}/
allow_html: true
footer:
  host: 测试市妇女联合会
  postcode: "472300"
  hotline: 12338
  icp: 豫ICP备12345678号-1
  police_record_url: https://beian.mps.gov.cn/#/query
"""
    config, messages = load(tmp_path, text)
    assert messages == []
    assert config.base_url == "https://example.org.cn/fulian/"  # a sub-path always ends with /
    assert config.base_path == "/fulian/"
    assert config.timezone == ZoneInfo("Asia/Urumqi")
    assert (config.description, config.default_image) == ("测试网站", "images/share.png")
    assert (config.per_page, config.permalink, config.allow_html) == (10, "/{year}/{month}/{day}/{slug}/", True)
    assert (config.footer.postcode, config.footer.hotline, config.footer.icp) == ("472300", "12338", "豫ICP备12345678号-1")
    assert config.footer.police_record_url == "https://beian.mps.gov.cn/#/query"


def test_categories_keep_their_written_order_unless_told_otherwise(tmp_path: Path) -> None:
    text = MINIMAL + """\
  - key: jiceng
    name: 基层动态
    nav: false
    order: 0
    description: 各乡镇妇联的消息
"""
    config, _ = load(tmp_path, text)
    assert [c.key for c in config.categories] == ["jiceng", "news", "notices"]
    jiceng = config.categories[0]
    assert (jiceng.nav, jiceng.description) == (False, "各乡镇妇联的消息")
    assert config.categories[1].nav is True
    assert config.category("工作动态") is config.category("news") is config.categories[1]
    assert config.category("妇女工作") is None


def test_a_bom_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    config, messages = load(tmp_path, b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode("utf-8"))
    assert messages == [] and config.title == "测试市妇联"


def test_a_category_may_use_the_same_word_as_key_and_name(tmp_path: Path) -> None:
    config, messages = load(tmp_path, MINIMAL + "  - key: 3-8\n    name: 3-8\n")
    assert messages == [] and config.category("3-8").name == "3-8"


def test_a_theme_in_the_site_folder_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "themes/fulian").mkdir(parents=True)
    config, messages = load(tmp_path, MINIMAL + "theme: fulian\n")
    assert messages == [] and config.theme == "fulian"


def test_missing_config_file(tmp_path: Path) -> None:
    problems = Problems()
    assert load_config(tmp_path, problems) is None
    assert [str(p) for p in problems.items] == ["config.yaml: 找不到 config.yaml。网站文件夹中必须有这个设置文件，可参照示例网站的 config.yaml。"]


def test_unknown_keys_are_errors_with_their_line_and_a_suggestion(tmp_path: Path) -> None:
    text = MINIMAL.replace("  base_url", "  titel: 测试\n  base_url") + "per_pag: 10\nfooter:\n  icpp: 豫ICP备\n  fax: 123\n"
    assert errors(tmp_path, text) == [
        "config.yaml:4: site.titel: site中没有“titel”这个字段。是否想写“title”？",
        "config.yaml:11: per_pag: 没有“per_pag”这个字段。是否想写“per_page”？",
        "config.yaml:13: footer.icpp: footer中没有“icpp”这个字段。是否想写“icp”？",
        "config.yaml:14: footer.fax: footer中没有“fax”这个字段。可用的字段有：host、address、postcode、phone、hotline、email、"
        "icp、police_record、police_record_url、site_code。",
    ]


def test_an_unknown_key_inside_a_category_names_the_category_line(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL + "    nmae: 重复\n") == ["config.yaml:10: categories.nmae: 栏目中没有“nmae”这个字段。是否想写“name”？"]


def test_missing_and_empty_required_settings(tmp_path: Path) -> None:
    text = "site:\n  title:\n  base_url: https://example.org.cn/\ncategories:\n  - key: news\n"
    assert errors(tmp_path, text) == [
        "config.yaml:1: site.organisation: 缺少必填项主办机构，请添加“organisation: …”一行。",
        "config.yaml:2: site.title: 网站名称不能为空，请在“title:”后面填写一段文字。",
        "config.yaml:5: categories.name: 缺少必填项栏目名称，请添加“name: …”一行。",
    ]


def test_an_empty_config_is_reported_once_per_missing_section(tmp_path: Path) -> None:
    assert errors(tmp_path, "# 设置\n") == [
        "config.yaml:1: categories: 缺少必填项栏目，请添加“categories: …”一行。",
        "config.yaml:1: site: 缺少必填项站点信息，请添加“site: …”一行。",
    ]


def test_a_section_of_the_wrong_kind_is_one_error(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL.replace("site:\n", "site: 测试市妇联\nsite_:\n")) == [
        "config.yaml:1: site: 站点信息的值“测试市妇联”不对，应为一组“字段: 值”。",
        "config.yaml:2: site_: 没有“site_”这个字段。是否想写“site”？",
    ]


def test_bad_base_url(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL.replace("https://example.org.cn/", "www.example.org.cn")) == [
        "config.yaml:4: site.base_url: 网站地址的值“www.example.org.cn”不对，应为以 http:// 或 https:// 开头的网址。",
    ]
    assert errors(tmp_path, MINIMAL.replace("https://example.org.cn/", "https://example.org.cn/?from=weixin")) == [
        "config.yaml:4: site.base_url: 网站地址“https://example.org.cn/?from=weixin”不对：应是网站首页的地址，"
        "如 https://www.example.org.cn/ 或 https://www.example.org.cn/fulian/，不能带 ? 或 #。",
    ]


def test_bad_timezone(tmp_path: Path) -> None:
    for name in ("Beijing", "UTC+8", "8", "../../etc/passwd"):
        text = MINIMAL.replace("  base_url", f"  timezone: {name}\n  base_url")
        assert errors(tmp_path, text) == [f"config.yaml:4: site.timezone: 不认识时区“{name}”，中国大陆网站请写 Asia/Shanghai。"]


def test_bad_permalinks(tmp_path: Path) -> None:
    def permalink_errors(pattern: str) -> list[str]:
        return [m.split(": ", 2)[2] for m in errors(tmp_path, MINIMAL + f"permalink: {pattern}\n")]

    assert permalink_errors("/{category}/{title}/") == [
        "网址格式中的“{title}”不可用，可用：{category}、{year}、{month}、{day}、{slug}。",
        "网址格式必须包含 {slug}，否则文章网址会重复。",
    ]
    assert permalink_errors('"{year}/{slug}"') == ["网址格式必须以 / 开头并以 / 结尾，如 /{category}/{year}/{slug}/。"]
    assert permalink_errors("/{slug}/}/") == ["网址格式中的花括号 { } 没有成对，如 /{category}/{year}/{slug}/。"]
    assert permalink_errors("/{year/{slug}/") == ["网址格式中的花括号 { } 没有成对，如 /{category}/{year}/{slug}/。"]
    assert errors(tmp_path, MINIMAL + "permalink: /{category}/{year}/{month}/{day}/{slug}/\nper_page: 0\n") == [
        "config.yaml:11: per_page: 每页条数必须大于 0。",
    ]


def test_bad_categories(tmp_path: Path) -> None:
    head = MINIMAL.split("categories:")[0]
    assert errors(tmp_path, head + "categories: []\n") == [
        "config.yaml:5: categories: 至少要设置一个栏目，如“- key: gongzuo-dongtai”下一行“  name: 工作动态”。",
    ]
    assert errors(tmp_path, head + "categories: 工作动态、通知公告\n") == [
        "config.yaml:5: categories: 栏目的值“工作动态、通知公告”不对，应为一个列表（每项以 - 开头）。",
    ]
    assert errors(tmp_path, head + "categories:\n  - 工作动态\n") == [
        "config.yaml:6: categories: 每个栏目要写成两行：“- key: 栏目代码”和“  name: 栏目名称”，如“- key: gongzuo-dongtai”下一行“  name: 工作动态”。",
    ]
    assert errors(tmp_path, MINIMAL.replace("key: news", "key: 工作").replace("key: notices", "key: Notices")) == [
        "config.yaml:6: categories.key: 栏目代码“工作”只能由小写英文字母、数字和连字符组成（它是网址的一部分），如 gongzuo-dongtai。",
        "config.yaml:8: categories.key: 栏目代码“Notices”只能由小写英文字母、数字和连字符组成（它是网址的一部分），如 gongzuo-dongtai。",
    ]
    assert errors(tmp_path, MINIMAL + "  - key: news\n    name: 新闻\n  - key: work\n    name: 通知公告\n") == [
        "config.yaml:10: categories: 栏目“news”与第 6 行的栏目重复。",
        "config.yaml:12: categories: 栏目“通知公告”与第 8 行的栏目重复。",
    ]


def test_missing_theme(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL + "theme: fulian\n") == [
        "config.yaml:10: theme: 找不到主题“fulian”。可用的主题：default；自己的主题请放在网站文件夹的 themes/fulian/ 中。",
    ]


def test_wrong_value_types(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL + "per_page: 二十\nallow_html: yes\nfooter:\n  police_record_url: beian.mps.gov.cn\n") == [
        "config.yaml:10: per_page: 每页条数的值“二十”不对，应为一个整数。",
        "config.yaml:11: allow_html: 是否允许 HTML的值“yes”不对，应为 true 或 false。",
        "config.yaml:13: footer.police_record_url: 公安备案链接的值“beian.mps.gov.cn”不对，应为以 http:// 或 https:// 开头的网址。",
    ]


def test_every_config_mistake_is_reported_in_one_run(tmp_path: Path) -> None:
    text = MINIMAL.replace("https://example.org.cn/", "example.org.cn").replace("  base_url", "  timezone: UTC+8\n  base_url")
    messages = errors(tmp_path, text + "per_page: 0\nfooter:\n  icpp: 豫ICP备12345678号\n")
    assert [m.split(": ")[1] for m in messages] == ["site.timezone", "site.base_url", "per_page", "footer.icpp"]


def test_broken_yaml_names_the_line_in_chinese(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL.replace("  organisation", " organisation")) == [
        "config.yaml:3: 格式错误：缩进不对。同一级的各项行首空格数要相同，请检查这一行行首的空格。",
    ]
    assert errors(tmp_path, MINIMAL.replace("  organisation", "\torganisation")) == [
        "config.yaml:3: 格式错误：这一行有 Tab 制表符。这里只能用空格缩进，请把 Tab 换成空格。",
    ]
    assert errors(tmp_path, MINIMAL.replace("  title: 测试市妇联", "  title：测试市妇联")) == [
        "config.yaml:2: title: “title”后面要用英文冒号加一个空格，请改成“title: …”。",
    ]
    assert errors(tmp_path, MINIMAL + "permalink: {year}/{slug}/\n") == [
        "config.yaml:10: 格式错误：括号或引号结束后还有文字。若值以 { [ 或引号开头，请用英文双引号把整个值括起来。",
    ]
    assert errors(tmp_path, MINIMAL + "permalink: {slug}\n") == [
        "config.yaml:10: permalink: 文章网址格式的值“{slug}”不对，应为一段文字。若值以 { 或 [ 开头，请用英文双引号把整个值括起来。",
    ]
    assert errors(tmp_path, MINIMAL + "site:\n  title: 又一个\n") == ["config.yaml:10: site: “site”在第 1 行已经写过，请删去其中一行。"]


def test_a_config_not_saved_as_utf8_names_the_encoding(tmp_path: Path) -> None:
    assert errors(tmp_path, MINIMAL.encode("gbk")) == [
        "config.yaml:2: 文件不是 UTF-8 编码（看起来是 GBK/GB2312 编码，常见于旧版记事本或 Word 另存）。请在编辑器中用“UTF-8”编码重新保存此文件。",
    ]
