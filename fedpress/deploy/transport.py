"""What every kind of target offers the deploy, and the one error it raises.

A transport knows one protocol and nothing of plans or manifests: it lists what is on
the target, reads and writes single files (each upload under a temporary name, renamed
into place where the protocol can), and deletes. Every failure leaves it as a
`DeployError` whose message, in Chinese, says what went wrong and what to do.
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .manifest import TEMP_SUFFIX
from .targets import Target


@dataclass(frozen=True)
class RemoteFile:
    size: int
    md5: str = ""  # known where the protocol reports it for free (an S3 ETag)


@dataclass(frozen=True)
class Upload:
    path: str  # relative to the target's root, "/"-separated
    source: Path | bytes
    size: int


class DeployError(Exception):
    """A failure the editor can act on; the message names the target."""


class Transport:
    """One connection to one target. Subclasses implement the single-file operations."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def open(self) -> None:
        """Connect and log in; check the root folder can be used."""

    def close(self) -> None:
        """Disconnect; never raises."""

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when it does not exist."""
        raise NotImplementedError

    def listing(self) -> dict[str, RemoteFile]:
        """Every file under the root, by relative path."""
        raise NotImplementedError

    def upload(self, item: Upload) -> None:
        raise NotImplementedError

    def delete(self, path: str) -> None:
        """Remove one file; a file already gone is not an error."""
        raise NotImplementedError

    def remove_dir(self, path: str) -> None:
        """Remove an empty folder; one that is not empty stays, silently."""

    def confirm(self, items: Sequence[Upload]) -> set[str]:
        """Which of these files, recorded as arrived by an interrupted deploy, really are in place.

        Most protocols report a file only once it is renamed into place, so the journal is
        exact; rsync reports it when sent, a moment before, and checks again here.
        """
        return {item.path for item in items}

    def identical(self, items: Sequence[Upload]) -> set[str]:
        """Which of these files the target already holds byte for byte, where the protocol can tell cheaply."""
        return set()

    def upload_many(self, items: Sequence[Upload], done: Callable[[Upload], None]) -> None:
        """Upload in the given order, reporting each file as soon as it is in place."""
        for item in items:
            self.upload(item)
            done(item)

    def delete_many(self, paths: Iterable[str], done: Callable[[str], None]) -> None:
        for path in paths:
            self.delete(path)
            done(path)

    def fail(self, what: str) -> DeployError:
        return DeployError(f"{self.target.label}：{what}")


def temp_name(path: str) -> str:
    """The temporary name an upload is written to, in the same folder so the rename is atomic."""
    folder, name = posixpath.split(path)
    return posixpath.join(folder, f".{name}{TEMP_SUFFIX}")


def is_temp(path: str) -> bool:
    name = posixpath.basename(path)
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def os_error_reason(exc: OSError) -> str:
    """A local or remote file-system error in words an editor can act on."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘已满（或超出空间配额）。请清理目标上的空间或联系主机服务商扩容，然后重新运行 deploy。"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有写入权限（{exc.filename or ''}）。请检查目标文件夹的权限，或换用有写入权限的账号。"
    return f"文件操作失败：{exc.strerror or exc}。"
