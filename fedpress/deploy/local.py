"""A folder on this machine or a mounted share (an office file server, a NAS)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .targets import Target
from .transport import RemoteFile, Transport, Upload, os_error_reason, temp_name


class LocalTransport(Transport):
    def __init__(self, target: Target, root: Path) -> None:
        super().__init__(target)
        self.root = root

    def open(self) -> None:
        # The folder itself may be created, but not its parent: a share that is not
        # mounted must not quietly become a folder on the local disk.
        if not self.root.parent.is_dir():
            raise self.fail(f"找不到文件夹 {self.root.parent}。若它是网络共享或移动硬盘，请先连接好；否则请检查 config.yaml 中的 path。")
        if self.root.exists() and not self.root.is_dir():
            raise self.fail(f"{self.root} 是一个文件，不是文件夹。请在 config.yaml 中换一个 path。")
        # The folder itself is made by the first upload: a dry run leaves no trace.

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self.fail(os_error_reason(exc)) from None

    def listing(self) -> dict[str, RemoteFile]:
        found: dict[str, RemoteFile] = {}
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                full = Path(folder, name)
                found[full.relative_to(self.root).as_posix()] = RemoteFile(full.stat().st_size)
        return found

    def upload(self, item: Upload) -> None:
        dest = self.root / item.path
        temp = self.root / temp_name(item.path)

        def write() -> None:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(item.source, bytes):
                temp.write_bytes(item.source)
            else:
                shutil.copyfile(item.source, temp)
            os.replace(temp, dest)

        self._call(write)

    def delete(self, path: str) -> None:
        self._call(lambda: (self.root / path).unlink(missing_ok=True))

    def remove_dir(self, path: str) -> None:
        with contextlib.suppress(OSError):
            (self.root / path).rmdir()

    def _call(self, action: Callable[[], object]) -> None:
        try:
            action()
        except OSError as exc:
            raise self.fail(os_error_reason(exc)) from None
