"""A Markdown source file -> a Document: its front matter (with lines) and its body.

Decoding and YAML problems are reported with the file and line, never swallowed: a
broken header must not silently turn into body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import yamlsource
from .errors import Problems
from .sources import SourceFile
from .yamlsource import decode

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Document:
    source: SourceFile
    meta: yamlsource.YamlDoc
    body: str
    body_line: int  # line number of the body's first line in the file


def read_document(source: SourceFile, problems: Problems) -> Document | None:
    text = decode(source.data, source.rel, problems)
    if text is None:
        return None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.error(source.rel, 1, "", "文件开头缺少元数据块。第一行应是 ---，接着写 title、date、category 等，再以 --- 结束。")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        problems.error(source.rel, 1, "", "元数据块没有结束。请在 title、date 等字段之后加一行 ---。")
        return None
    meta = yamlsource.load("\n".join(lines[1:end]), source.rel, problems, first_line=2)
    if meta is None:
        return None
    return Document(source, meta, _clean_body("\n".join(lines[end + 1 :])), end + 2)


def _clean_body(body: str) -> str:
    """Word pastes line and page breaks as \\v and \\f: they become line ends; other control characters go."""
    return _CONTROL.sub("", body.replace("\v", "\n").replace("\f", "\n"))
