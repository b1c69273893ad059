"""SFTP over SSH (paramiko): keys from the SSH agent, ~/.ssh/config or `key_file`; a password only from the environment.

The host key must already be known (~/.ssh/known_hosts or `known_hosts`): publishing to a
server that cannot prove who it is would hand the site to whoever answers.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import socket
import stat
from pathlib import Path

import paramiko

from .targets import Target
from .transport import RemoteFile, Transport, Upload, os_error_reason, temp_name


class SftpTransport(Transport):
    def __init__(self, target: Target, password: str | None, secret_hint: str) -> None:
        super().__init__(target)
        self.password = password
        self.secret_hint = secret_hint
        self.client: paramiko.SSHClient | None = None
        self.sftp: paramiko.SFTPClient | None = None
        self.folders: set[str] = set()

    def open(self) -> None:
        target = self.target
        options = _ssh_config(target.host)
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        if target.known_hosts:
            client.load_host_keys(os.path.expanduser(target.known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        key_files = [os.path.expanduser(target.key_file)] if target.key_file else options.get("identityfile", []) or None
        try:
            client.connect(
                options.get("hostname", target.host),
                port=target.port if target.port != 22 else int(options.get("port", 22)),
                username=target.user or options.get("user") or None,
                password=self.password,
                key_filename=key_files,
                timeout=target.timeout,
                banner_timeout=target.timeout,
                auth_timeout=target.timeout,
            )
            self.client = client
            self.sftp = client.open_sftp()  # the root folder is made by the first upload: a dry run leaves no trace
        except Exception as exc:
            client.close()
            raise self.fail(self._reason(exc)) from None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = self.sftp = None

    def read(self, path: str) -> bytes | None:
        buffer = io.BytesIO()
        try:
            self.sftp.getfo(self._abs(path), buffer)
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise self.fail(self._reason(exc)) from None
        return buffer.getvalue()

    def listing(self) -> dict[str, RemoteFile]:
        found: dict[str, RemoteFile] = {}
        pending = [""]
        try:
            while pending:
                folder = pending.pop()
                try:
                    entries = self.sftp.listdir_attr(self._abs(folder))
                except FileNotFoundError:
                    if folder:
                        raise
                    return found  # the first deploy: no root folder yet
                self.folders.add(self._abs(folder))
                for attributes in entries:
                    path = posixpath.join(folder, attributes.filename)
                    if stat.S_ISDIR(attributes.st_mode or 0):
                        pending.append(path)
                    elif stat.S_ISREG(attributes.st_mode or 0):
                        found[path] = RemoteFile(attributes.st_size or 0)
        except Exception as exc:
            raise self.fail(self._reason(exc)) from None
        return found

    def upload(self, item: Upload) -> None:
        final, temp = self._abs(item.path), self._abs(temp_name(item.path))
        try:
            self._make_folders(posixpath.dirname(final))
            source = io.BytesIO(item.source) if isinstance(item.source, bytes) else item.source.open("rb")
            with source:
                self.sftp.putfo(source, temp, file_size=item.size, confirm=True)
            try:
                self.sftp.posix_rename(temp, final)  # OpenSSH: atomic replace
            except OSError:
                with contextlib.suppress(FileNotFoundError):
                    self.sftp.remove(final)
                self.sftp.rename(temp, final)
        except Exception as exc:
            raise self.fail(self._reason(exc)) from None

    def delete(self, path: str) -> None:
        try:
            self.sftp.remove(self._abs(path))
        except FileNotFoundError:
            pass
        except Exception as exc:
            raise self.fail(self._reason(exc)) from None

    def remove_dir(self, path: str) -> None:
        with contextlib.suppress(OSError):
            self.sftp.rmdir(self._abs(path))

    def _abs(self, path: str) -> str:
        root = self.target.path.rstrip("/") or ("/" if self.target.path.startswith("/") else ".")
        return posixpath.join(root, path) if path else root

    def _make_folders(self, folder: str) -> None:
        current = "/" if folder.startswith("/") else ""
        for part in (p for p in folder.split("/") if p and p != "."):
            current = posixpath.join(current, part)
            if current in self.folders:
                continue
            try:
                self.sftp.stat(current)
            except FileNotFoundError:
                self.sftp.mkdir(current)
            self.folders.add(current)

    def _reason(self, exc: BaseException) -> str:
        target = self.target
        if isinstance(exc, paramiko.BadHostKeyException):
            return f"服务器 {target.host} 的主机密钥与记录的不同，可能有人冒充服务器。请向主机服务商核实后再更新 known_hosts。"
        if isinstance(exc, paramiko.SSHException) and "not found in known_hosts" in str(exc):
            return (f"不认识服务器 {target.host} 的主机密钥。请先用 ssh {target.host} 手动登录一次并核对、确认密钥，"
                    f"或在 config.yaml 中用 known_hosts 指定记录了它的文件。")
        if isinstance(exc, paramiko.AuthenticationException):
            return f"登录被拒绝：用户名、密钥或密码不对。请检查 config.yaml 中的 user、key_file，ssh-agent 中的密钥，或{self.secret_hint}。"
        if isinstance(exc, socket.gaierror):
            return f"找不到服务器 {target.host}（域名无法解析）。请检查 host 是否写对、网络是否连通。"
        if isinstance(exc, (ConnectionRefusedError, paramiko.ssh_exception.NoValidConnectionsError)):
            return f"无法连接 {target.host}:{target.port}（连接被拒绝）。请检查 host 和 port，以及服务器是否开启了 SSH。"
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return f"连接 {target.host}:{target.port} 超时。请检查网络，或稍后重试；已上传的文件不会重传。"
        if isinstance(exc, PermissionError):
            return f"没有权限（{exc.filename or exc}）。请检查 path 是否写对、这个账号是否有写入和删除权限。"
        if isinstance(exc, OSError) and exc.errno is not None:
            return os_error_reason(exc)
        if isinstance(exc, OSError) and str(exc) == "Failure":
            return "服务器写入失败（SFTP 只回答“Failure”，最常见的原因是磁盘已满或超出空间配额）。请检查服务器空间，然后重新运行 deploy。"
        if isinstance(exc, (EOFError, ConnectionError, paramiko.SSHException, OSError)):
            return f"连接中断（{exc or type(exc).__name__}）。请重新运行 deploy，已上传的文件不会重传。"
        return f"出错：{exc}。"


def _ssh_config(host: str) -> dict:
    """What ~/.ssh/config says about `host` (Host aliases, User, Port, IdentityFile)."""
    path = Path("~/.ssh/config").expanduser()
    if not path.is_file():
        return {}
    try:
        return paramiko.SSHConfig.from_path(str(path)).lookup(host)
    except (OSError, paramiko.SSHException, ValueError):
        return {}
