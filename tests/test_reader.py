"""Reading one Markdown file: front matter and body, encodings, line ends, YAML mistakes, dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fedpress.errors import Problems
from fedpress.fields import convert, parse_date
from fedpress.reader import Document, read_document
from fedpress.sources import find_sources

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARTICLE = "---\ntitle: 市妇联召开工作会议\ndate: 2023-09-15 11:31\ncategory: 工作动态\n---\n\n第一段。\n\n第二段。\n"


def read(tmp_path: Path, data: str | bytes, name: str = "news/a.md") -> tuple[Document | None, list[str]]:
    path = tmp_path / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (source,) = [s for s in find_sources(tmp_path) if s.content_rel == name]
    problems = Problems()
    document = read_document(source, problems)
    return document, [str(p) for p in problems.errors]


def test_front_matter_and_body_are_split_with_their_lines(tmp_path: Path) -> None:
    document, messages = read(tmp_path, ARTICLE)
    assert messages == []
    assert document.meta.data == {"title": "市妇联召开工作会议", "date": "2023-09-15 11:31", "category": "工作动态"}
    assert (document.meta.line("title"), document.meta.line("date"), document.meta.line("category")) == (2, 3, 4)
    assert document.body == "\n第一段。\n\n第二段。\n"
    assert document.body_line == 6
    assert document.body.split("\n")[1] == "第一段。"  # body line 2 is file line 7
    assert document.source.rel == "content/news/a.md"


def test_a_bom_is_dropped(tmp_path: Path) -> None:
    document, messages = read(tmp_path, b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    assert messages == [] and document.meta.data["title"] == "市妇联召开工作会议"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_read_like_unix_ones(tmp_path: Path, newline: str) -> None:
    document, messages = read(tmp_path, ARTICLE.replace("\n", newline))
    assert messages == []
    assert document.meta.data["date"] == "2023-09-15 11:31"
    assert document.meta.line("category") == 4
    assert document.body == "\n第一段。\n\n第二段。\n"


def test_dots_may_close_the_front_matter_and_an_empty_body_is_fine(tmp_path: Path) -> None:
    document, messages = read(tmp_path, "---\ntitle: 关于我们\n...\n")
    assert messages == [] and document.meta.data == {"title": "关于我们"} and document.body == ""


def test_values_keep_the_editors_text_except_true_false_null_and_integers(tmp_path: Path) -> None:
    text = '---\ntitle: no\nkicker: "true"\ndraft: true\nsummary: 2023\nauthor: ~\ntags: [妇联, 2024]\nsource: yes\ndate: 2022-12-02 16:50\n---\n'
    document, messages = read(tmp_path, text)
    assert messages == []
    assert document.meta.data == {
        "title": "no", "kicker": "true", "draft": True, "summary": 2023, "author": None,
        "tags": ["妇联", 2024], "source": "yes", "date": "2022-12-02 16:50",
    }
    assert document.meta.line("tags", 1) == 7


@pytest.mark.parametrize(("data", "message"), [
    ("# 市妇联召开工作会议\n\n正文。\n", "content/news/a.md:1: 文件开头缺少元数据块。第一行应是 ---，接着写 title、date、category 等，再以 --- 结束。"),
    ("", "content/news/a.md:1: 文件开头缺少元数据块。第一行应是 ---，接着写 title、date、category 等，再以 --- 结束。"),
    ("---\ntitle: 市妇联召开工作会议\n\n正文。\n", "content/news/a.md:1: 元数据块没有结束。请在 title、date 等字段之后加一行 ---。"),
    ("---\n- 市妇联召开工作会议\n---\n", "content/news/a.md:2: 这里应是“字段: 值”形式的设置，每行一项，冒号后加一个空格。"),
])
def test_a_missing_or_unfinished_header_is_an_error_not_body_text(tmp_path: Path, data: str, message: str) -> None:
    document, messages = read(tmp_path, data)
    assert document is None and messages == [message]


@pytest.mark.parametrize(("encoding", "line", "guess"), [
    ("gbk", 2, "（看起来是 GBK/GB2312 编码，常见于旧版记事本或 Word 另存）"),
    ("gb18030", 2, "（看起来是 GBK/GB2312 编码，常见于旧版记事本或 Word 另存）"),
    ("utf-16", 1, "（看起来是 UTF-16 编码，即记事本中的“Unicode”）"),
])
def test_a_file_not_saved_as_utf8_names_the_encoding(tmp_path: Path, encoding: str, line: int, guess: str) -> None:
    document, messages = read(tmp_path, ARTICLE.encode(encoding))
    assert document is None
    assert messages == [f"content/news/a.md:{line}: 文件不是 UTF-8 编码{guess}。请在编辑器中用“UTF-8”编码重新保存此文件。"]


def test_the_encoding_error_points_at_the_first_line_that_is_not_utf8(tmp_path: Path) -> None:
    data = ARTICLE.encode("utf-8") + "第三段用另一种编码。\n".encode("gbk")
    _, messages = read(tmp_path, data)
    assert messages[0].startswith("content/news/a.md:10: 文件不是 UTF-8 编码（看起来是 GBK")
    _, messages = read(tmp_path, b"---\ntitle: \x80\x80\n---\n")
    assert messages == ["content/news/a.md:2: 文件不是 UTF-8 编码。请在编辑器中用“UTF-8”编码重新保存此文件。"]


@pytest.mark.parametrize(("header", "message"), [
    ("title: 会议\nsummary: 议程: 学习\n",
     "3: 格式错误：这一行的值里有“: ”（冒号加空格）。若冒号是值的一部分，请用英文双引号把整个值括起来；若这是新的一项，请删去行首多余的空格。"),
    ("title: 会议\n  date: 2023-09-15\n",
     "3: 格式错误：这一行的值里有“: ”（冒号加空格）。若冒号是值的一部分，请用英文双引号把整个值括起来；若这是新的一项，请删去行首多余的空格。"),
    ("title: 会议\ntags: [表彰, 三八节\ndate: 2023-03-08\n", "3: 格式错误：方括号 [ ] 没有成对，或列表各项之间缺少英文逗号。请写成如 [关爱行动, 志愿服务]。"),
    ('title: "巾帼建功\ndate: 2023-03-08\n', "2: 格式错误：引号没有成对，这一行的值以引号开始却没有结尾的引号。请补上结尾的引号，或去掉开头的引号。"),
    ("title: 会议\ndate 2023-03-08\ncategory: 工作动态\n", "3: 格式错误：这一行缺少冒号。每行应写成“字段: 值”，用英文冒号，冒号后加一个空格。"),
    ("title: 会议\n\tdate: 2023-03-08\n", "3: 格式错误：这一行有 Tab 制表符。这里只能用空格缩进，请把 Tab 换成空格。"),
    ("title: @妇联\n", "2: 格式错误：值不能以“@”开头。请用英文双引号把整个值括起来。"),
    ("title: *重要*会议\n", "2: 格式错误：值不能以 * 或 & 开头。请用英文双引号把整个值括起来。"),
    ("title: [通知] 会议\n", "2: 格式错误：括号或引号结束后还有文字。若值以 { [ 或引号开头，请用英文双引号把整个值括起来。"),
    ("title: 会议\ndate：2023-03-08\n", "3: date: “date”后面要用英文冒号加一个空格，请改成“date: …”。"),
    ("title:会议\ndate: 2023-03-08\n", "2: title: “title”后面要用英文冒号加一个空格，请改成“title: …”。"),
    ("title: 会议\x0b通知\n", "2: 这一行有看不见的控制字符（U+000B），常见于从网页或 Word 复制来的文字。请删去它（可删掉这一行后重新输入）。"),
    ("title: 会议\ntitle: 通知\n", "3: title: “title”在第 2 行已经写过，请删去其中一行。"),
])
def test_yaml_mistakes_name_the_line_and_say_what_to_do(tmp_path: Path, header: str, message: str) -> None:
    _, messages = read(tmp_path, f"---\n{header}---\n\n正文。\n")
    assert messages == [f"content/news/a.md:{message}"]


def test_every_full_width_colon_is_reported(tmp_path: Path) -> None:
    _, messages = read(tmp_path, "---\ntitle：会议\ndate：2023-09-15\ncategory：工作动态\n---\n")
    assert [m.split(": ")[0:2] for m in messages] == [["content/news/a.md:2", "title"], ["content/news/a.md:3", "date"],
                                                      ["content/news/a.md:4", "category"]]


def test_colons_inside_urls_and_times_are_not_mistakes(tmp_path: Path) -> None:
    document, messages = read(tmp_path, "---\ntitle: 会议\nsource_url: https://example.org.cn/a\ndate: 2023-09-15 11:31\n---\n")
    assert messages == [] and document.meta.data["source_url"] == "https://example.org.cn/a"


# -- dates: what editors write, in the site's time zone ---------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-09-15", datetime(2023, 9, 15, 0, 0, tzinfo=SHANGHAI)),
    ("2023-09-15 11:31", datetime(2023, 9, 15, 11, 31, tzinfo=SHANGHAI)),
    ("2023-09-15T11:31:20", datetime(2023, 9, 15, 11, 31, 20, tzinfo=SHANGHAI)),
    ("2023-9-5 8:05", datetime(2023, 9, 5, 8, 5, tzinfo=SHANGHAI)),
    ("2023/09/15", datetime(2023, 9, 15, tzinfo=SHANGHAI)),
    ("2023.09.15", datetime(2023, 9, 15, tzinfo=SHANGHAI)),
    ("2023年9月15日", datetime(2023, 9, 15, tzinfo=SHANGHAI)),
    ("2023年09月15日 11:31", datetime(2023, 9, 15, 11, 31, tzinfo=SHANGHAI)),
    ("2023-09-15 11：31", datetime(2023, 9, 15, 11, 31, tzinfo=SHANGHAI)),
    ("  2023-09-15  ", datetime(2023, 9, 15, tzinfo=SHANGHAI)),
])
def test_dates_without_an_offset_are_in_the_site_zone(text: str, expected: datetime) -> None:
    parsed = parse_date(text, SHANGHAI)
    assert parsed == expected and parsed.tzinfo == SHANGHAI


@pytest.mark.parametrize(("text", "utc"), [
    ("2023-09-15T11:31:00+08:00", datetime(2023, 9, 15, 3, 31)),
    ("2023-09-15 11:31+0800", datetime(2023, 9, 15, 3, 31)),
    ("2023-09-15T03:31:00Z", datetime(2023, 9, 15, 3, 31)),
    ("2023-09-14 23:31-04:00", datetime(2023, 9, 15, 3, 31)),
])
def test_dates_with_an_offset_are_the_same_moment_shown_in_the_site_zone(text: str, utc: datetime) -> None:
    parsed = parse_date(text, SHANGHAI)
    assert parsed == utc.replace(tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=8) and (parsed.hour, parsed.minute) == (11, 31)


def test_a_date_without_time_is_midnight_in_whatever_zone_the_site_uses() -> None:
    urumqi = ZoneInfo("Asia/Urumqi")
    assert parse_date("2023-09-15", urumqi) == datetime(2023, 9, 15, tzinfo=urumqi)
    assert parse_date("2023-09-15", urumqi) != parse_date("2023-09-15", SHANGHAI)


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "2023-09-15 25:10", "2023-09-15 11:61", "昨天", "15/09/2023", "2023-09", ""])
def test_impossible_or_unknown_dates_are_rejected(text: str) -> None:
    assert parse_date(text, SHANGHAI) is None


def test_dates_must_be_text_in_front_matter() -> None:
    assert convert("2023-09-15", "date", SHANGHAI) == datetime(2023, 9, 15, tzinfo=SHANGHAI)
    assert convert(20230915, "date", SHANGHAI) is None
    assert convert(True, "date", SHANGHAI) is None
