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
        problems.error(file, where, ".".join(map(str, path)), f"这里应是{_KIND_HINT['mapping']}。")
        return {}
    known = {f.name: f for f in fields}
    result: dict = {}
    for key, value in mapping.items():
        line = doc.line(*path, key, default=where)
        spec = known.get(key)
        if spec is None:
            problems.error(file, line, _dotted(path, key), _unknown_key_message(key, known, context))
            continue
        if value is None:
            continue
        converted = convert(value, spec.kind, tz)
        if converted is None:
            problems.error(file, line, _dotted(path, key), f"{spec.label}的值“{value}”不对，应为{_KIND_HINT[spec.kind]}。")
            continue
        result[key] = converted
    for spec in fields:
        if spec.required and spec.name not in result and spec.name not in mapping:
            problems.error(file, where, _dotted(path, spec.name), f"缺少必填项{spec.label}，请添加“{spec.name}: …”一行。")
    return result


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


def _dotted(path: tuple, key: str) -> str:
    return ".".join([*(str(p) for p in path if not isinstance(p, int)), str(key)])


def _unknown_key_message(key: str, known: dict, context: str) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    hint = f"是否想写“{close[0]}”？" if close else f"可用的字段有：{'、'.join(known)}。"
    where = f"{context}中" if context else ""
    return f"{where}没有“{key}”这个字段。{hint}"
