"""The deploy section of config.yaml: every mistake named with its line, and no password ever accepted there."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedpress.cli import main
from fedpress.deploy.targets import Target, load_targets
from fedpress.errors import Problems

from conftest import REPO, copy_site

SITE_CONFIG = (REPO / "config.yaml").read_text(encoding="utf-8").split("\n# Publishing")[0]
SITE_LINES = SITE_CONFIG.count("\n") + 1  # the line "deploy:" is on, in the configs below


def targets(tmp_path: Path, deploy: str) -> tuple[tuple[Target, ...], list[str]]:
    (tmp_path / "config.yaml").write_text(f"{SITE_CONFIG}\ndeploy:\n{deploy}", encoding="utf-8")
    problems = Problems()
    found = load_targets(tmp_path, problems)
    return found, [str(p) for p in problems.errors]


def line(offset: int) -> int:
    """The number of the `offset`-th line after the line "deploy:" (offset 0)."""
    return SITE_LINES + 1 + offset


def test_the_sample_sites_targets_are_valid() -> None:
    problems = Problems()
    found = load_targets(REPO, problems)
    assert problems.errors == []
    assert [(t.name, t.kind, t.path) for t in found] == [("local", "local", "../published")]


def test_every_kind_is_read_with_its_defaults(tmp_path: Path) -> None:
    found, errors = targets(tmp_path, """\
  - name: office
    kind: local
    path: /mnt/share/site
    delete: true
  - kind: ftps
    host: ftp.example.org.cn
    user: ymfulian
    password_env: FEDPRESS_FTP_PASSWORD
    path: /htdocs
  - name: server
    kind: rsync
    host: www.example.org.cn
    path: /var/www/fulian
    key_file: ~/.ssh/id_ed25519
  - name: cdn
    kind: s3
    endpoint: https://cos.ap-beijing.myqcloud.com
    region: ap-beijing
    bucket: ymfulian-1250000000
    access_key_env: FEDPRESS_S3_KEY
    secret_key_env: FEDPRESS_S3_SECRET
""")
    assert errors == []
    office, ftp, server, cdn = found
    assert (office.delete, office.verify) == (True, True)
    assert (ftp.name, ftp.port, ftp.timeout, ftp.password_env) == ("ftps", 21, 30, "FEDPRESS_FTP_PASSWORD")
    assert ftp.label == "发布目标“ftps”（FTPS（FTP + TLS），ymfulian@ftp.example.org.cn:/htdocs）"
    assert (server.port, server.user, server.key_file) == (22, "", "~/.ssh/id_ed25519")
    assert (cdn.bucket, cdn.path, cdn.path_style) == ("ymfulian-1250000000", "", False)


SECRETS = [("password", "Fulian2024!"), ("secret_key", "wJalrXUtnFEMI"), ("ftp_passwd", "ym8812"), ("token", "tk-93jd8"), ("密码", "ym@2024")]


@pytest.mark.parametrize(("key", "value"), SECRETS)
def test_a_secret_in_the_config_is_refused_with_its_line(tmp_path: Path, key: str, value: str) -> None:
    _, errors = targets(tmp_path, f"  - name: ftp\n    kind: ftp\n    host: ftp.example.org.cn\n    path: /htdocs\n    {key}: {value}\n")
    assert len(errors) == 1
    assert errors[0].startswith(f"config.yaml:{line(5)}: deploy.{key}: 不能把密码或密钥写在 config.yaml 中")
    assert value not in errors[0]  # the message never repeats the secret


def test_a_secret_nested_in_a_section_is_refused_too(tmp_path: Path) -> None:
    _, errors = targets(tmp_path, "  - kind: local\n    path: ../out\n    login:\n      password: x\n")
    assert f"config.yaml:{line(4)}: deploy.login.password: 不能把密码或密钥写在 config.yaml 中" in "\n".join(errors)


def test_check_and_deploy_refuse_a_password_in_the_config(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = copy_site(REPO, tmp_path / "site")
    config = site / "config.yaml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if text.startswith("    path: ../published"))
    config.write_text("".join([*lines[: at + 1], "    password: Fulian2024!\n", *lines[at + 1:]]), encoding="utf-8")
    number = config.read_text(encoding="utf-8").splitlines().index("    password: Fulian2024!") + 1
    expected = f"config.yaml:{number}: deploy.password: 不能把密码或密钥写在 config.yaml 中"
    assert main(["check", "--site", str(site)]) == 1
    assert expected in capsys.readouterr().err
    assert main(["build", "--site", str(site)]) == 0
    capsys.readouterr()
    assert main(["deploy", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "没有发布" in err
    assert not (tmp_path / "published").exists()


def test_mistakes_are_named_with_their_lines(tmp_path: Path) -> None:
    _, errors = targets(tmp_path, """\
  - name: a
    kind: ftpp
    path: /x
  - name: b
    kind: ftp
    path: /htdocs
    bucket: site
  - name: c
    kind: sftp
    path: /srv
  - name: d
    kind: ftp
    host: h
    path: /x
    password_env: Fulian 2024!
    port: 70000
  - name: d
    kind: local
    path: ../x
  - name: 中文
    kind: local
    path: ../y
  - kind: s3
    bucket: b
    access_key_env: KEY
""")
    assert errors == [
        f"config.yaml:{line(2)}: deploy.kind: 不认识发布方式“ftpp”，可用：local（本机或共享文件夹）、rsync（rsync（SSH））、sftp（SFTP）、ftp（FTP）、"
        "ftps（FTPS（FTP + TLS））、s3（S3 兼容对象存储）。",
        f"config.yaml:{line(4)}: deploy.host: 缺少必填项服务器地址，请添加一行，如“host: ftp.example.org.cn”。",
        f"config.yaml:{line(7)}: deploy.bucket: 发布目标（ftp）中没有“bucket”这个字段。"
        "可用的字段有：name、kind、delete、verify、path、host、port、user、password_env、timeout。",
        f"config.yaml:{line(8)}: deploy.host: 缺少必填项服务器地址，请添加一行，如“host: ftp.example.org.cn”。",
        f"config.yaml:{line(15)}: deploy.password_env: “password_env”应写环境变量的名字（如 FEDPRESS_FTP_PASSWORD），不是密码本身；"
        "变量名只能由英文字母、数字和 _ 组成。",
        f"config.yaml:{line(16)}: deploy.port: 端口“70000”不对，应在 1 到 65535 之间。",
        f"config.yaml:{line(20)}: deploy.name: 发布目标名称“中文”只能由英文字母、数字、- 和 _ 组成（运行时写 --target 名称），如 site 或 ftp。",
        f"config.yaml:{line(25)}: deploy.access_key_env: access_key_env 和 secret_key_env 要一起写；"
        "都不写时使用 AWS_ACCESS_KEY_ID 等标准环境变量或 ~/.aws/credentials。",
    ]


def test_a_second_target_with_the_same_name_is_refused(tmp_path: Path) -> None:
    found, errors = targets(tmp_path, "  - name: site\n    kind: local\n    path: ../a\n  - name: site\n    kind: local\n    path: ../b\n")
    assert [t.path for t in found] == ["../a"]
    assert errors == [f"config.yaml:{line(4)}: deploy.name: 发布目标名称“site”与第 {line(1)} 行的重复，请换一个名称。"]


def test_deploy_must_be_a_list(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"{SITE_CONFIG}\ndeploy:\n  kind: local\n  path: ../a\n", encoding="utf-8")
    problems = Problems()
    assert load_targets(tmp_path, problems) == ()
    assert [str(p) for p in problems.errors] == [
        f"config.yaml:{line(0)}: deploy: 发布目标应写成列表，每个目标以“- name: …”开始，如“- name: site”下一行“  kind: local”。"
    ]
