"""YAML that remembers where each key was written.

Config and front matter are read through here so every later message can name the
line. Scalars are resolved conservatively: only true/false, null and plain integers
get a type; everything else (dates included) stays a string, so `title: no` is the
title "no" and `date: 2022-12-02 16:50` reaches the date parser untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .errors import Problems

# libyaml's C parser when PyYAML was built with it (the wheels are): same nodes and marks, many times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
# "title：…" (a full-width colon from a Chinese input method) or "title:…" (no space after the colon)
_BAD_COLON = re.compile(r"\s*(?:-\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_-]*)\s*(?:：|:(?=[^\s/]))")
_INDENTATION = ("<block mapping start>", "<block sequence start>", "?", "-")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML mapping plus the 1-based line of every key path, e.g. ("footer", "icp")."""

    data: dict
    lines: dict[tuple, int]

    def line(self, *path: object, default: int = 1) -> int:
        return self.lines.get(tuple(path), default)


def decode(data: bytes, file: str, problems: Problems) -> str | None:
    """UTF-8 text with a BOM dropped and line ends normalised; a clear error for other encodings."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(file, line, "", f"文件不是 UTF-8 编码{_guess_encoding(data, exc.start)}。请在编辑器中用“UTF-8”编码重新保存此文件。")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _guess_encoding(data: bytes, start: int) -> str:
    """What the bytes from the first non-UTF-8 one on look like (a GBK paste into a UTF-8 file counts)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "（看起来是 UTF-16 编码，即记事本中的“Unicode”）"
    try:
        data[start:].decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return "（看起来是 GBK/GB2312 编码，常见于旧版记事本或 Word 另存）"


def load(text: str, file: str, problems: Problems, first_line: int = 1) -> YamlDoc | None:
    """Parse `text` as a YAML mapping; report syntax errors with file and line and return None."""
    try:
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            # The pure-Python parser words its errors the way _explain() understands: parse again with it.
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        if not _report_bad_colons(text, file, problems, first_line):
            line, message = _explain(exc)
            problems.error(file, first_line + line, "", message)
        return None
    except yaml.YAMLError as exc:  # a control character the YAML reader refuses
        if not _report_bad_colons(text, file, problems, first_line):
            position = getattr(exc, "position", 0)
            code = getattr(exc, "character", 0)
            problems.error(file, first_line + text[:position].count("\n"), "",
                           f"这一行有看不见的控制字符（U+{code:04X}），常见于从网页或 Word 复制来的文字。请删去它（可删掉这一行后重新输入）。")
        return None
    if node is None:
        return YamlDoc({}, {})
    if not isinstance(node, yaml.MappingNode):
        if not _report_bad_colons(text, file, problems, first_line):
            problems.error(file, first_line + node.start_mark.line, "", "这里应是“字段: 值”形式的设置，每行一项，冒号后加一个空格。")
        return None
    lines: dict[tuple, int] = {}
    data = _convert(node, (), lines, file, problems, first_line)
    return YamlDoc(data, lines)


def _explain(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """A YAML syntax error -> (0-based line an editor must look at, what to do, in Chinese)."""
    problem, context = exc.problem or "", exc.context or ""
    at_problem = exc.problem_mark.line if exc.problem_mark else 0
    at_context = exc.context_mark.line if exc.context_mark else at_problem
    if context.startswith("while scanning a quoted scalar"):
        return at_context, "格式错误：引号没有成对，这一行的值以引号开始却没有结尾的引号。请补上结尾的引号，或去掉开头的引号。"
    if context.startswith("while parsing a flow sequence"):
        return at_context, "格式错误：方括号 [ ] 没有成对，或列表各项之间缺少英文逗号。请写成如 [关爱行动, 志愿服务]。"
    if context.startswith("while parsing a flow mapping"):
        return at_context, "格式错误：花括号 { } 没有成对。若值以 { 开头，请用英文双引号把整个值括起来。"
    if context.startswith("while scanning a simple key"):
        return at_context, "格式错误：这一行缺少冒号。每行应写成“字段: 值”，用英文冒号，冒号后加一个空格。"
    if problem == "mapping values are not allowed here":
        return at_problem, ("格式错误：这一行的值里有“: ”（冒号加空格）。若冒号是值的一部分，请用英文双引号把整个值括起来；"
                            "若这是新的一项，请删去行首多余的空格。")
    if problem.startswith("found character '\\t'"):
        return at_problem, "格式错误：这一行有 Tab 制表符。这里只能用空格缩进，请把 Tab 换成空格。"
    found = re.fullmatch(r"found character '(.+)' that cannot start any token", problem)
    if found:
        return at_problem, f"格式错误：值不能以“{found.group(1)}”开头。请用英文双引号把整个值括起来。"
    if problem.startswith("expected <block end>, but found"):
        symbol = problem.rsplit("found ", 1)[1].strip("'")
        if symbol in _INDENTATION:
            return at_problem, "格式错误：缩进不对。同一级的各项行首空格数要相同，请检查这一行行首的空格。"
        if symbol.startswith("<"):  # text after a closing bracket or quote, as in {year}/{slug}/
            return at_problem, "格式错误：括号或引号结束后还有文字。若值以 { [ 或引号开头，请用英文双引号把整个值括起来。"
        return at_problem, f"格式错误：这一行多了“{symbol}”，请检查括号和引号是否成对。"
    if problem.startswith("found undefined alias") or context.startswith(("while scanning an alias", "while scanning an anchor")):
        return at_problem, "格式错误：值不能以 * 或 & 开头。请用英文双引号把整个值括起来。"
    return at_problem, f"格式错误（{problem or context}）。请检查冒号后是否有空格、引号和括号是否成对、缩进是否对齐。"


def _report_bad_colons(text: str, file: str, problems: Problems, first_line: int) -> bool:
    """Report lines whose key is followed by a full-width colon or a colon without a space."""
    found = False
    for number, line in enumerate(text.split("\n")):
        match = _BAD_COLON.match(line)
        if match:
            key = match.group("key")
            problems.error(file, first_line + number, key, f"“{key}”后面要用英文冒号加一个空格，请改成“{key}: …”。")
            found = True
    return found


def _convert(node: yaml.Node, path: tuple, lines: dict, file: str, problems: Problems, first: int) -> object:
    lines[path] = first + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key in result:
                problems.error(file, first + key_node.start_mark.line, _dotted(path, key),
                               f"“{key}”在第 {lines[(*path, key)]} 行已经写过，请删去其中一行。")
                continue
            result[key] = _convert(value_node, (*path, key), lines, file, problems, first)
            lines[(*path, key)] = first + key_node.start_mark.line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), lines, file, problems, first) for i, child in enumerate(node.value)]
    return _scalar(node)


def _dotted(path: tuple, key: str) -> str:
    return ".".join([*(str(p) for p in path if not isinstance(p, int)), str(key)])


def _scalar(node: yaml.ScalarNode) -> object:
    if node.style:  # quoted or block scalar: always a string
        return node.value
    value = node.value
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.fullmatch(value):
        return int(value)
    return value
