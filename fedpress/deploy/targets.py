"""The `deploy` section of config.yaml -> validated, frozen `Target`s.

Secrets never live in config.yaml (it is copied, backed up and put under version
control): a password or secret key written there is an error naming its line, and
the config only names the environment variable that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import yamlsource
from ..config import CONFIG_FILE
from ..errors import Problems
from ..fields import Field, read_fields

KINDS = {
    "local": "本机或共享文件夹",
    "rsync": "rsync（SSH）",
    "sftp": "SFTP",
    "ftp": "FTP",
    "ftps": "FTPS（FTP + TLS）",
    "s3": "S3 兼容对象存储",
}
_COMMON = (
    Field("name", "text", "发布目标名称"),
    Field("kind", "text", "发布方式", required=True, example="ftps"),
    Field("delete", "bool", "是否删除网站中已去掉的文件"),
    Field("verify", "bool", "是否核对目标上的文件"),
)
_PATH = Field("path", "text", "目标文件夹", required=True, example="/htdocs")
_HOST = Field("host", "text", "服务器地址", required=True, example="ftp.example.org.cn")
_PORT = Field("port", "int", "端口")
_USER = Field("user", "text", "用户名")
_PASSWORD_ENV = Field("password_env", "text", "存放密码的环境变量名")
_SSH = (_HOST, _PORT, _USER, Field("key_file", "text", "SSH 私钥文件"), Field("known_hosts", "text", "已知主机密钥文件"))
_KIND_FIELDS = {
    "local": (_PATH,),
    "rsync": (_PATH, *_SSH),
    "sftp": (_PATH, *_SSH, _PASSWORD_ENV),
    "ftp": (_PATH, _HOST, _PORT, _USER, _PASSWORD_ENV, Field("timeout", "int", "超时秒数")),
    "ftps": (_PATH, _HOST, _PORT, _USER, _PASSWORD_ENV, Field("timeout", "int", "超时秒数"), Field("ca_file", "text", "服务器证书文件")),
    "s3": (
        Field("bucket", "text", "存储桶", required=True, example="fulian-site"),
        Field("path", "text", "对象名前缀"),
        Field("endpoint", "url", "服务地址"),
        Field("region", "text", "区域"),
        Field("path_style", "bool", "是否用路径形式访问存储桶"),
        Field("access_key_env", "text", "存放 Access Key 的环境变量名"),
        Field("secret_key_env", "text", "存放 Secret Key 的环境变量名"),
    ),
}
# For a target whose kind is unknown: any field of any kind, none required but the kind itself.
_ALL_FIELDS = tuple({f.name: replace(f, required=f.name == "kind") for f in (*_COMMON, *(f for fs in _KIND_FIELDS.values() for f in fs))}.values())
_DEFAULT_PORTS = {"rsync": 22, "sftp": 22, "ftp": 21, "ftps": 21}
# Keys that hold a secret itself, not the name of where it is kept.
_SECRET = re.compile(r"pass(word|wd)?|pwd|secret|token|private[_-]?key|credential|口令|密码|密钥", re.IGNORECASE)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Target:
    """Where and how one deploy target publishes; secrets are only named, never held here."""

    name: str
    kind: str
    path: str
    line: int  # where it is written in config.yaml
    host: str = ""
    port: int = 0
    user: str = ""
    password_env: str = ""
    key_file: str = ""
    known_hosts: str = ""
    ca_file: str = ""
    timeout: int = 30
    bucket: str = ""
    endpoint: str = ""
    region: str = ""
    path_style: bool = False
    access_key_env: str = ""
    secret_key_env: str = ""
    delete: bool = False
    verify: bool = True

    @property
    def label(self) -> str:
        """How messages name the target: 发布目标“ftp”（FTPS，ftp.example.org.cn:/htdocs）."""
        return f"发布目标“{self.name}”（{KINDS[self.kind]}，{self.where}）"

    @property
    def where(self) -> str:
        if self.kind == "local":
            return self.path
        if self.kind == "s3":
            return f"{self.endpoint or 'AWS'} 存储桶 {self.bucket}" + (f"/{self.path}" if self.path else "")
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port and self.port != _DEFAULT_PORTS[self.kind] else ""
        return f"{user}{self.host}{port}:{self.path}"

    @property
    def identity(self) -> str:
        """What makes two configurations the same place, for the local journal."""
        return "|".join((self.kind, self.user, self.host, str(self.port), self.endpoint, self.bucket, self.path))


def load_targets(site: Path, problems: Problems) -> tuple[Target, ...]:
    """Read and check every target in `site/config.yaml`; problems name the key and its line."""
    path = site / CONFIG_FILE
    if not path.is_file():
        problems.error(CONFIG_FILE, 0, "", f"找不到 {CONFIG_FILE}。")
        return ()
    text = yamlsource.decode(path.read_bytes(), CONFIG_FILE, problems)
    doc = yamlsource.load(text, CONFIG_FILE, problems) if text is not None else None
    if doc is None or "deploy" not in doc.data:
        return ()
    section = doc.data["deploy"]
    if section is None:  # "deploy:" with every target commented out
        return ()
    if not isinstance(section, list):
        problems.error(CONFIG_FILE, doc.line("deploy"), "deploy",
                       "发布目标应写成列表，每个目标以“- name: …”开始，如“- name: site”下一行“  kind: local”。")
        return ()
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(section):
        target = _target(doc, index, entry, problems)
        if target is None:
            continue
        if target.name in seen:
            problems.error(CONFIG_FILE, target.line, "deploy.name", f"发布目标名称“{target.name}”与第 {seen[target.name]} 行的重复，请换一个名称。")
            continue
        seen[target.name] = target.line
        targets.append(target)
    return tuple(targets)


def _target(doc: yamlsource.YamlDoc, index: int, entry: object, problems: Problems) -> Target | None:
    line = doc.line("deploy", index)
    if not isinstance(entry, dict):
        problems.error(CONFIG_FILE, line, "deploy", "每个发布目标要写成几行“字段: 值”，如“- name: site”下一行“  kind: local”。")
        return None
    before = len(problems.errors)
    entry = _without_secrets(doc, index, entry, problems)
    kind = entry.get("kind")
    fields = (*_COMMON, *_KIND_FIELDS[kind]) if kind in _KIND_FIELDS else _ALL_FIELDS
    clean = yamlsource.YamlDoc({"deploy": {index: entry}}, doc.lines)
    values = read_fields(clean, ("deploy", index), fields, CONFIG_FILE, problems, ZoneInfo("UTC"), f"发布目标（{kind}）" if kind in KINDS else "发布目标")
    if "kind" in values and values["kind"] not in KINDS:
        problems.error(CONFIG_FILE, doc.line("deploy", index, "kind"), "deploy.kind",
                       f"不认识发布方式“{values['kind']}”，可用：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}。")
    _check_values(doc, index, values, problems)
    if len(problems.errors) > before:
        return None
    kind = values["kind"]
    return Target(
        name=values.get("name", kind),
        kind=kind,
        path=values.get("path", ""),
        line=line,
        host=values.get("host", ""),
        port=values.get("port", _DEFAULT_PORTS.get(kind, 0)),
        user=values.get("user", ""),
        password_env=values.get("password_env", ""),
        key_file=values.get("key_file", ""),
        known_hosts=values.get("known_hosts", ""),
        ca_file=values.get("ca_file", ""),
        timeout=values.get("timeout", 30),
        bucket=values.get("bucket", ""),
        endpoint=values.get("endpoint", ""),
        region=values.get("region", ""),
        path_style=values.get("path_style", False),
        access_key_env=values.get("access_key_env", ""),
        secret_key_env=values.get("secret_key_env", ""),
        delete=values.get("delete", False),
        verify=values.get("verify", True),
    )


def _without_secrets(doc: yamlsource.YamlDoc, index: int, entry: dict, problems: Problems) -> dict:
    """Report every key that holds a secret itself, nested ones too; the rest is checked as usual."""
    kept = {}
    for key, value in entry.items():
        if _is_secret(key):
            _report_secret(doc, ("deploy", index, key), problems)
            continue
        if isinstance(value, dict):
            for inner in value:
                if _is_secret(inner):
                    _report_secret(doc, ("deploy", index, key, inner), problems)
        kept[key] = value
    return kept


def _is_secret(key: object) -> bool:
    return bool(_SECRET.search(str(key))) and not str(key).endswith("_env")


def _report_secret(doc: yamlsource.YamlDoc, path: tuple, problems: Problems) -> None:
    name = str(path[-1])
    env = "secret_key_env: FEDPRESS_S3_SECRET" if "secret" in name.lower() else "password_env: FEDPRESS_FTP_PASSWORD"
    field = ".".join(str(p) for p in path if not isinstance(p, int))
    problems.error(CONFIG_FILE, doc.line(*path), field,
                   f"不能把密码或密钥写在 {CONFIG_FILE} 中（这个文件常被复制、备份或提交到版本库）。请删去这一行，"
                   f"把它放在环境变量中，并写“{env}”指明变量名；FTP 密码也可放在 ~/.netrc 中，SSH 请用密钥或 ssh-agent。")


def _check_values(doc: yamlsource.YamlDoc, index: int, values: dict, problems: Problems) -> None:
    def error(key: str, message: str) -> None:
        problems.error(CONFIG_FILE, doc.line("deploy", index, key), f"deploy.{key}", message)

    if "name" in values and not _NAME.fullmatch(values["name"]):
        error("name", f"发布目标名称“{values['name']}”只能由英文字母、数字、- 和 _ 组成（运行时写 --target 名称），如 site 或 ftp。")
    for key in ("password_env", "access_key_env", "secret_key_env"):
        if key in values and not _ENV_NAME.fullmatch(values[key]):
            error(key, f"“{key}”应写环境变量的名字（如 FEDPRESS_FTP_PASSWORD），不是密码本身；变量名只能由英文字母、数字和 _ 组成。")
    if "port" in values and not 0 < values["port"] < 65536:
        error("port", f"端口“{values['port']}”不对，应在 1 到 65535 之间。")
    if "timeout" in values and values["timeout"] < 1:
        error("timeout", "超时秒数必须大于 0。")
    if values.get("kind") == "s3" and ("access_key_env" in values) != ("secret_key_env" in values):
        error("access_key_env" if "access_key_env" in values else "secret_key_env",
              "access_key_env 和 secret_key_env 要一起写；都不写时使用 AWS_ACCESS_KEY_ID 等标准环境变量或 ~/.aws/credentials。")
    if "path" in values and values.get("kind") not in ("local", "s3", None) and "\\" in values["path"]:
        error("path", "服务器上的文件夹请用 / 分隔，如 /htdocs/fulian。")
