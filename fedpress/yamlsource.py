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

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML mapping plus the 1-based line of every key path, e.g. ("footer", "icp")."""

    data: dict
    lines: dict[tuple, int]

    def line(self, *path: object, default: int = 1) -> int:
        return self.lines.get(tuple(path), default)


def load(text: str, file: str, problems: Problems, first_line: int = 1) -> YamlDoc | None:
    """Parse `text` as a YAML mapping; report syntax errors with file and line and return None."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problems.error(file, line, "", f"YAML 格式错误（{exc.problem}）。请检查冒号后是否有空格、引号和括号是否成对、缩进是否对齐。")
        return None
    if node is None:
        return YamlDoc({}, {})
    if not isinstance(node, yaml.MappingNode):
        problems.error(file, first_line + node.start_mark.line, "", "这里应是“字段: 值”形式的设置，每行一项。")
        return None
    lines: dict[tuple, int] = {}
    data = _convert(node, (), lines, file, problems, first_line)
    return YamlDoc(data, lines)


def _convert(node: yaml.Node, path: tuple, lines: dict, file: str, problems: Problems, first: int) -> object:
    lines[path] = first + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key in result:
                problems.error(file, first + key_node.start_mark.line, key, f"字段“{key}”重复出现，请删去多余的一个。")
                continue
            result[key] = _convert(value_node, (*path, key), lines, file, problems, first)
            lines[(*path, key)] = first + key_node.start_mark.line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), lines, file, problems, first) for i, child in enumerate(node.value)]
    return _scalar(node)


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
