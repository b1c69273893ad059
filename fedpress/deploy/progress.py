"""A one-line progress display on a terminal; nothing at all when output goes to a file or a pipe."""

from __future__ import annotations

import time
from typing import TextIO


def size(count: int) -> str:
    """Bytes the way an editor reads them: 812 字节, 3.4 KB, 12.5 MB."""
    if count < 1024:
        return f"{count} 字节"
    for unit in ("KB", "MB", "GB"):
        count /= 1024
        if count < 1024 or unit == "GB":
            return f"{count:.1f} {unit}"
    raise AssertionError


class Progress:
    def __init__(self, stream: TextIO, files: int, total: int) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.files, self.total = files, total
        self.done_files = self.done_bytes = 0
        self._shown = 0.0

    def advance(self, count: int) -> None:
        self.done_files += 1
        self.done_bytes += count
        now = time.monotonic()
        if self.enabled and (now - self._shown > 0.1 or self.done_files == self.files):
            self._shown = now
            self.stream.write(f"\r已上传 {self.done_files}/{self.files} 个文件，{size(self.done_bytes)}/{size(self.total)}\033[K")
            self.stream.flush()

    def clear(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
