"""Checking a YAML mapping against a list of expected fields.

One mechanism for `config.yaml` and for front matter: unknown keys (with a
"did you mean" hint), missing required keys and wrong types are reported with the
file, line and field; values come back converted (dates become aware datetimes).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import Problems
from .yamlsource import YamlDoc

KINDS = ("text", "int", "bool", "url", "list", "date", "mapping", "sequence")
_KIND_HINT = {
    "text": "一段文字",
    "int": "一个整数",
    "bool": "true 或 false",
    "url": "以 http:// 或 https:// 开头的网址",
    "list": "一个列表，如 [甲, 乙]",
    "date": "日期，如 2023-09-15 或 2023-09-15 11:31",
    "mapping": "一组“字段: 值”",
    "sequence": "一个列表（每项以 - 开头）",
}
_SCALAR_KINDS = ("text", "url", "date")  # kinds an unquoted { or [ turns into a mapping or list
_DATE = re.compile(
    r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:[ T]+(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str
    required: bool = False
    example: str = ""  # shown in the "missing" message, e.g. "2023-09-15 11:31"


def read_fields(
    doc: YamlDoc,
    path: tuple,
    fields: tuple[Field, ...],
    file: str,
    problems: Problems,
    tz: ZoneInfo,
    context: str = "",
) -> dict:
    """Validate the mapping at `path` in `doc`; return {name: converted value} for good fields."""
    mapping = _get(doc.data, path)
    where = doc.line(*path)
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, dict):
        problems.error(file, where, _dotted(path[:-1], path[-1]) if path else "", f"这里应是{_KIND_HINT['mapping']}。")
        return {}
    known = {f.name: f for f in fields}
    result: dict = {}
    misspelt: set[str] = set()  # required fields an unknown key probably meant: reported once, as the typo
    for key, value in mapping.items():
        line = doc.line(*path, key, default=where)
        spec = known.get(key)
        if spec is None:
            guess = _close_match(key, known)
            misspelt.add(guess)
            problems.error(file, line, _dotted(path, key), _unknown_key_message(key, guess, known, context))
            continue
        if value is None:
            if spec.required:
                what = f"，如“{key}: {spec.example}”" if spec.example else _with_space(_KIND_HINT[spec.kind])
                problems.error(file, line, _dotted(path, key), f"{spec.label}不能为空，请在“{key}:”后面填写{what}。")
            continue
        converted = convert(value, spec.kind, tz)
        if converted is None:
            quote = "若值以 { 或 [ 开头，请用英文双引号把整个值括起来。" if isinstance(value, (dict, list)) and spec.kind in _SCALAR_KINDS else ""
            problems.error(file, line, _dotted(path, key),
                           f"{spec.label}的值“{show(value)}”不对，应为{_with_space(_KIND_HINT[spec.kind])}。{quote}")
            continue
        result[key] = converted
    for spec in fields:
        if spec.required and spec.name not in mapping and spec.name not in misspelt:
            problems.error(file, where, _dotted(path, spec.name), missing_message(spec))
    return result


def missing_message(spec: Field) -> str:
    if spec.example:
        return f"缺少必填项{spec.label}，请添加一行，如“{spec.name}: {spec.example}”。"
    return f"缺少必填项{spec.label}，请添加“{spec.name}: …”一行。"


def show(value: object) -> str:
    """A YAML value the way an editor wrote it (true, [甲, 乙]), not as Python prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(str(k) if v is None else f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _with_space(hint: str) -> str:
    """A space between Chinese and a following Latin word, as in the rest of the messages."""
    return f" {hint}" if hint[:1].isascii() else hint


def convert(value: object, kind: str, tz: ZoneInfo) -> object | None:
    """Convert a YAML scalar to `kind`, or None when it cannot be one."""
    if kind == "text":
        return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "url":
        return value.strip() if isinstance(value, str) and re.match(r"https?://\S+$", value.strip()) else None
    if kind == "list":
        if isinstance(value, str):
            value = [part for part in re.split(r"[,，、]", value) if part.strip()]
        if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            return tuple(str(v).strip() for v in value)
        return None
    if kind == "date":
        return parse_date(value, tz) if isinstance(value, str) else None
    if kind == "mapping":
        return value if isinstance(value, dict) else None
    if kind == "sequence":
        return value if isinstance(value, list) else None
    raise ValueError(kind)


def parse_date(text: str, tz: ZoneInfo) -> datetime | None:
    """Parse the date forms editors write; a date without a time is midnight in the site's zone."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "tz"}
    try:
        day = date(parts["y"], parts["m"], parts["d"])
        moment = datetime(day.year, day.month, day.day, parts.get("H", 0), parts.get("M", 0), parts.get("S", 0))
    except ValueError:
        return None
    offset = match.group("tz")
    if offset:
        return datetime.fromisoformat(moment.isoformat() + ("+00:00" if offset == "Z" else offset)).astimezone(tz)
    return moment.replace(tzinfo=tz)


def _get(data: object, path: tuple) -> object:
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def _dotted(path: tuple, key: object) -> str:
    """The field as an editor finds it: ("categories", 0) and "key" -> categories.key."""
    return ".".join(str(p) for p in (*path, key) if not isinstance(p, int))


def _close_match(key: object, known: dict) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    return close[0] if close else ""


def _unknown_key_message(key: object, guess: str, known: dict, context: str) -> str:
    hint = f"是否想写“{guess}”？" if guess else f"可用的字段有：{'、'.join(known)}。"
    where = f"{context}中" if context else ""
    return f"{where}没有“{key}”这个字段。{hint}"
