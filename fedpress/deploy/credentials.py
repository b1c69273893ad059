"""Passwords and keys, from where an editor keeps them: environment variables, ~/.netrc, the SSH agent.

config.yaml only names the variable; what it holds is read here at deploy time and
passed straight to the connection, never stored or printed.
"""

from __future__ import annotations

import netrc
import os
from dataclasses import dataclass
from pathlib import Path

from .targets import Target
from .transport import DeployError


@dataclass(frozen=True)
class Login:
    user: str
    password: str | None  # None: keys only (SSH agent, key_file)
    hint: str  # where the password was looked for, for the wrong-password message


def login_for(target: Target) -> Login:
    """The user and password for FTP/FTPS/SFTP; raises DeployError when none can be found where FTP needs one."""
    if target.password_env:
        password = os.environ.get(target.password_env)
        if password is None:
            raise DeployError(f"{target.label}：没有设置环境变量 {target.password_env}。请先设置它（如 export {target.password_env}='密码'），再运行 deploy。")
        return Login(target.user or "anonymous", password, f"环境变量 {target.password_env} 中的密码")
    entry = _netrc(target)
    if entry is not None:
        login, _account, password = entry
        return Login(target.user or login or "anonymous", password, "~/.netrc 中的密码")
    if target.kind == "sftp":
        return Login(target.user, None, "config.yaml 中的 password_env")
    raise DeployError(f"{target.label}：没有找到密码。请在 config.yaml 中写“password_env: FEDPRESS_FTP_PASSWORD”并设置这个环境变量，"
                      f"或在 ~/.netrc 中加入一行“machine {target.host} login 用户名 password 密码”。")


def require_keys(target: Target) -> None:
    """S3 keys named in config.yaml must be set; unnamed ones come from boto3's usual places."""
    for name in (target.access_key_env, target.secret_key_env):
        if name and os.environ.get(name) is None:
            raise DeployError(f"{target.label}：没有设置环境变量 {name}。请先设置它，再运行 deploy。")


def _netrc(target: Target) -> tuple[str, str, str] | None:
    path = Path(os.environ.get("NETRC", "~/.netrc")).expanduser()
    if not path.is_file():
        return None
    try:
        return netrc.netrc(str(path)).authenticators(target.host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise DeployError(f"{target.label}：无法读取 {path}（{exc}）。请检查它的格式，并确保只有自己能读（chmod 600 {path}）。") from None
