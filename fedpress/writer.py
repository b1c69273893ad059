"""File contents -> a staging folder -> swapped into the output folder in one step.

The previous output stays byte-for-byte as it was until the whole new site is
ready. Files whose bytes did not change are hard-linked from the previous output,
so they keep their modification time and a rebuild rewrites nothing needlessly.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


class UnsafeOutput(Exception):
    """The output folder looks like something fedpress must not replace (e.g. the site itself)."""


def write_output(files: dict[str, bytes | Path], output: Path) -> WriteReport:
    output = output.resolve()
    _refuse_unsafe(output)
    staging = output.with_name(f".{output.name}.staging")
    retired = output.with_name(f".{output.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    written = unchanged = 0
    folders: set[Path] = set()
    for rel, content in files.items():
        dest = staging / rel
        if dest.parent not in folders:  # creating folders is slow on some file systems: once each
            dest.parent.mkdir(parents=True, exist_ok=True)
            folders.add(dest.parent)
        previous = output / rel
        if _same(previous, content):
            _link_or_copy(previous, dest)
            unchanged += 1
        elif isinstance(content, Path):
            shutil.copyfile(content, dest)
            written += 1
        else:
            dest.write_bytes(content)
            written += 1
    removed = _count_removed(output, files)
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    if retired.exists():
        shutil.rmtree(retired)
    return WriteReport(written, unchanged, removed)


def _same(previous: Path, content: bytes | Path) -> bool:
    if not previous.is_file():
        return False
    if isinstance(content, Path):
        if previous.stat().st_size != content.stat().st_size:
            return False
        content = content.read_bytes()
    return previous.stat().st_size == len(content) and previous.read_bytes() == content


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _count_removed(output: Path, files: dict[str, bytes | Path]) -> int:
    if not output.is_dir():
        return 0
    return sum(1 for p in output.rglob("*") if p.is_file() and p.relative_to(output).as_posix() not in files)


def _refuse_unsafe(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise UnsafeOutput(f"输出位置 {output} 是一个文件，不是文件夹。请换一个输出文件夹。")
    if (output / "config.yaml").exists() or (output / "content").is_dir():
        raise UnsafeOutput(f"输出文件夹 {output} 里有 config.yaml 或 content/，看起来是网站源文件夹，fedpress 不会覆盖它。请换一个输出文件夹。")
    if output == Path(output.anchor) or output == Path.home():
        raise UnsafeOutput(f"不能把网站生成到 {output}，请换一个专用的输出文件夹。")
