"""fedpress's phrase dictionary: federation vocabulary comes out right in every Traditional profile.

OpenCC segments by the longest phrase it knows, so a phrase that straddles two words decides the
character of both: 妇联|系统 becomes 婦聯繫統 (联系), 家长|发言 becomes 家長髮言 (长发, long hair),
老人|参加 becomes 老人蔘加 (人参, ginseng). The entries in fedpress/data/hant_phrases.txt cover such
junctions (长发言 -> 長發言), words OpenCC itself gets wrong (娘家, 折合) and, for s2twp, word ends
that keep its Taiwan computing terms from reaching across a word boundary (领导|出席 must not
become 領匯出席 through 導出 -> 匯出).

Every expected output below is the correct Traditional text for that profile, not a recording of
what the converter happens to print.
"""

from __future__ import annotations

import functools
from pathlib import Path

import opencc
import pytest

import fedpress.hant as hant
from fedpress.hant import PHRASES_FILE, Converter, HantSettings

PROFILES = ("s2t", "s2tw", "s2twp", "s2hk")


@functools.cache
def ours(profile: str) -> Converter:
    return Converter(HantSettings(profile))


@functools.cache
def plain(profile: str) -> opencc.OpenCC:
    return opencc.OpenCC(profile)


def entries() -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in PHRASES_FILE.read_text(encoding="utf-8").splitlines()]


def same(simplified: str, traditional: str) -> tuple[str, str, str, str, str]:
    """A sentence whose correct Traditional form is the same in all four profiles."""
    return (simplified, traditional, traditional, traditional, traditional)


# (simplified, s2t, s2tw, s2twp, s2hk)
SENTENCES = [
    # 系統, not 繫統: the name of a federation before 系统/系列
    same("全市妇联系统开展学习活动", "全市婦聯系統開展學習活動"),
    same("妇联系列活动", "婦聯系列活動"),
    same("市残联系统", "市殘聯系統"),
    same("侨联系统、文联系统和工商联系统", "僑聯系統、文聯系統和工商聯系統"),
    same("青联系统与学联系统", "青聯系統與學聯系統"),
    same("社科联系统", "社科聯系統"),
    same("全市机关系统", "全市機關系統"),
    same("爱心系列活动和中心系统", "愛心系列活動和中心系統"),
    same("中国梦系列宣讲", "中國夢系列宣講"),
    same("真情系列讲座", "真情系列講座"),
    same("心系妇女儿童", "心繫婦女兒童"),
    # 發, not 髮: a title, a given name or a noun ending before 发言/发展/发放...
    same("家长发言", "家長發言"),
    same("校长发表讲话", "校長發表講話"),
    same("儿童成长发育", "兒童成長發育"),
    same("王建华发言", "王建華發言"),
    same("李晓红发现问题", "李曉紅發現問題"),
    same("学生发展指导中心", "學生發展指導中心"),
    same("医生发现异常", "醫生發現異常"),
    same("助学金发放仪式", "助學金發放儀式"),
    same("保护发展妇女权益", "保護發展婦女權益"),
    same("培养发展女党员", "培養發展女黨員"),
    same("依法治理发挥作用", "依法治理發揮作用"),
    same("牵头发起倡议", "牽頭發起倡議"),
    same("总结发言", "總結發言"),
    same("不断发挥作用", "不斷發揮作用"),
    same("多种因素发生变化", "多種因素發生變化"),
    same("补贴足额发放", "補貼足額發放"),
    same("一直发挥作用", "一直發揮作用"),
    same("包括发展规划", "包括發展規劃"),
    same("优秀发言代表", "優秀發言代表"),
    same("掌握发展规律，把握发展大局", "掌握發展規律，把握發展大局"),
    same("开具假发票", "開具假發票"),
    same("市妇联发指导意见", "市婦聯發指導意見"),
    same("上门理发、洗头发", "上門理髮、洗頭髮"),
    same("美容美发培训", "美容美髮培訓"),
    # 幹, not 乾/干
    same("做焦裕禄式的好干部", "做焦裕祿式的好幹部"),
    same("检察干警", "檢察幹警"),
    same("每天干活到深夜", "每天幹活到深夜"),
    same("从网格员干起，一干就是二十年", "從網格員幹起，一幹就是二十年"),
    same("广东干部和浙江干部", "廣東幹部和浙江幹部"),
    same("任何干部都不得违规", "任何幹部都不得違規"),
    same("挂职交流干部", "掛職交流幹部"),
    same("健全干部考评机制", "健全幹部考評機制"),
    same("窗口干部", "窗口幹部"),
    same("保持干净，不得干涉", "保持乾淨，不得干涉"),
    # 困, not 睏
    same("关爱困境儿童", "關愛困境兒童"),
    same("做好困难妇女帮扶", "做好困難婦女幫扶"),
    # 參, not 蔘
    same("老人参加比赛，负责人参与指导", "老人參加比賽，負責人參與指導"),
    # 志, not 誌
    same("各地志愿者", "各地志願者"),
    same("节日志愿服务", "節日志願服務"),
    same("县志愿者协会", "縣志願者協會"),
    # 幸, not 倖
    same("提升工作幸福感", "提升工作幸福感"),
    same("母亲幸福", "母親幸福"),
    # 家具, not 傢俱
    same("国家具有完备的法律", "國家具有完備的法律"),
    same("大家什么时候有空", "大家什麼時候有空"),
    # 表, not 錶
    same("对表现突出的能手表彰奖励", "對表現突出的能手表彰獎勵"),
    same("多名表现优秀的选手", "多名表現優秀的選手"),
    # 個, not 箇; 只, not 隻; 出, not 齣
    same("建设一个中心", "建設一個中心"),
    same("不是只有妇女", "不是只有婦女"),
    ("统一出台规范", "統一出臺規範", "統一出臺規範", "統一出臺規範", "統一出台規範"),
    same("这是唯一出路", "這是唯一出路"),
    # 歷, not 曆
    same("百年历史，成长历程", "百年歷史，成長歷程"),
    # 複, not 復; 針, not 鍼
    same("进行复查", "進行複查"),
    ("进行复核", "進行複覈", "進行複核", "進行複核", "進行複核"),
    same("进行针对性辅导", "進行針對性輔導"),
    # 簽, not 籤
    same("协议书签订仪式", "協議書簽訂儀式"),
    same("按要求签订劳动合同", "按要求簽訂勞動合同"),
    # 致, not 緻
    same("带动妇女打工致富", "帶動婦女打工致富"),
    # 征程 keeps 征; 征集 and 征求 take 徵
    same("奋进新征程", "奮進新征程"),
    same("大力征集优秀案例", "大力徵集優秀案例"),
    same("家长征求意见", "家長徵求意見"),
    # 採, not 采
    same("没有采取措施", "沒有採取措施"),
    same("开展采访活动，扩大采购规模", "開展採訪活動，擴大採購規模"),
    same("根据病情采取治疗", "根據病情採取治療"),
    # 回, not 迴
    same("一批回乡创业女性", "一批回鄉創業女性"),
    same("从湖北回到家乡", "從湖北回到家鄉"),
    same("新一轮回访", "新一輪回訪"),
    # 周, not 週
    same("宣传周边居民", "宣傳周邊居民"),
    # 核, not 覈; 局, not 侷
    same("处在核心位置", "處在核心位置"),
    same("服务大局促进发展", "服務大局促進發展"),
    # 禦, not 御; 遊, not 游; 面, not 麪/麵; 製, not 制; 制, not 製
    same("节日御寒物资", "節日禦寒物資"),
    same("帮助困难妇女御寒", "幫助困難婦女禦寒"),
    same("亲子游戏", "親子遊戲"),
    same("线上和面对面相结合", "線上和面對面相結合"),
    same("老人制作手工艺品", "老人製作手工藝品"),
    same("专家制作课件", "專家製作課件"),
    same("按规定制度执行", "按規定制度執行"),
    # 颱, not 台
    same("今天台风过境", "今天颱風過境"),
    # words OpenCC gets wrong by themselves
    same("妇联是妇女的娘家", "婦聯是婦女的娘家"),
    same("物资折合人民币", "物資折合人民幣"),
    ("，并为妇女提供帮助", "，並爲婦女提供幫助", "，並為婦女提供幫助", "，並為婦女提供幫助", "，並為婦女提供幫助"),
    ("楼道里堆放杂物", "樓道裏堆放雜物", "樓道裡堆放雜物", "樓道裡堆放雜物", "樓道裏堆放雜物"),
    ("绿色通道里", "綠色通道裏", "綠色通道裡", "綠色通道裡", "綠色通道裏"),
    same("朱红梅同志", "朱紅梅同志"),
    # s2twp: OpenCC's Taiwan terms (導出 -> 匯出, 導入 -> 匯入, 項目 -> 專案, 實時 -> 即時) must stay in their word
    same("领导出席会议", "領導出席會議"),
    ("指导出台办法", "指導出臺辦法", "指導出臺辦法", "指導出臺辦法", "指導出台辦法"),
    ("主导出台政策", "主導出臺政策", "主導出臺政策", "主導出臺政策", "主導出台政策"),
    ("辅导入户", "輔導入戶", "輔導入戶", "輔導入戶", "輔導入户"),
    ("科学育儿指导入户", "科學育兒指導入戶", "科學育兒指導入戶", "科學育兒指導入戶", "科學育兒指導入户"),
    ("督导入户", "督導入戶", "督導入戶", "督導入戶", "督導入户"),
    ("引导入户", "引導入戶", "引導入戶", "引導入戶", "引導入户"),
    same("倡导出行安全", "倡導出行安全"),
    same("疏导出现的矛盾", "疏導出現的矛盾"),
    same("全年各项目标任务", "全年各項目標任務"),
    same("严格落实时间要求", "嚴格落實時間要求"),
    ("逐一核实时间", "逐一覈實時間", "逐一核實時間", "逐一核實時間", "逐一核實時間"),
]


@pytest.mark.parametrize(("simplified", "expected"), [(row[0], row[1:]) for row in SENTENCES], ids=[row[0] for row in SENTENCES])
def test_federation_sentences_in_every_profile(simplified: str, expected: tuple[str, str, str, str]) -> None:
    assert tuple(ours(profile).text(simplified) for profile in PROFILES) == expected


# (simplified, s2t, s2tw, s2twp, s2hk): characters with several Traditional forms, and where regions differ
REGIONAL = [
    ("这里", "這裏", "這裡", "這裡", "這裏"),
    same("邻里", "鄰里"),
    same("里程", "里程"),
    same("公里", "公里"),
    ("着力", "着力", "著力", "著力", "着力"),
    same("显着", "顯著"),
    ("着手", "着手", "著手", "著手", "着手"),
    same("头发", "頭髮"),
    same("发展", "發展"),
    same("发放", "發放"),
    ("台湾", "臺灣", "臺灣", "臺灣", "台灣"),
    ("平台", "平臺", "平臺", "平臺", "平台"),
    ("舞台", "舞臺", "舞臺", "舞臺", "舞台"),
    same("台风", "颱風"),
    same("干部", "幹部"),
    same("干净", "乾淨"),
    same("干涉", "干涉"),
    same("后来", "後來"),
    same("皇后", "皇后"),
    same("系统", "系統"),
    same("关系", "關係"),
    ("联系", "聯繫", "聯繫", "聯絡", "聯繫"),  # s2twp uses the Taiwan word
    same("系鞋带", "繫鞋帶"),
    ("面条", "麪條", "麵條", "麵條", "麪條"),
    same("方面", "方面"),
    same("范围", "範圍"),
    same("模范", "模範"),
]


@pytest.mark.parametrize(("simplified", "expected"), [(row[0], row[1:]) for row in REGIONAL], ids=[row[0] for row in REGIONAL])
def test_region_sensitive_words(simplified: str, expected: tuple[str, str, str, str]) -> None:
    assert tuple(ours(profile).text(simplified) for profile in PROFILES) == expected


@pytest.mark.parametrize("profile", PROFILES)
def test_the_surname_fan_needs_a_site_override(profile: str) -> None:
    # 范 the surname stays 范; no general phrase can tell 范晓萍 from 示范/规范, so a site names its people
    converter = Converter(HantSettings(profile, (("范晓萍", "范曉萍"),)))
    assert converter.text("范晓萍同志扩大服务范围") == "范曉萍同志擴大服務範圍"


def test_the_dictionary_file_is_well_formed() -> None:
    text = PHRASES_FILE.read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.startswith("\ufeff")
    lines = text[:-1].split("\n")
    assert all(line.strip() for line in lines), "blank line"
    pairs = [line.split("\t") for line in lines]
    assert all(len(pair) == 2 for pair in pairs), "every line is simplified<TAB>traditional"
    for simplified, traditional in pairs:
        assert simplified and traditional and simplified == simplified.strip() and traditional == traditional.strip()
        assert len(simplified) >= 2, f"single-character entry {simplified}: it would change every word with it"
        assert len(simplified) == len(traditional), f"{simplified} and {traditional} differ in length"
    keys = [simplified for simplified, _ in pairs]
    assert len(keys) == len(set(keys)), "duplicate entries"
    assert keys == sorted(keys), "entries are sorted"


def test_every_entry_is_what_the_converter_gives_for_its_phrase() -> None:
    converter = ours("s2t")
    assert [(s, converter.text(s)) for s, _ in entries()] == entries()


def _changes_plain_opencc(text: str) -> bool:
    return any(ours(profile).text(text) != plain(profile).convert(text) for profile in PROFILES)


def test_no_dead_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each entry changes OpenCC's own result for some profile: for its phrase itself, or, for an entry
    that only ends a word (妇联, 领导), in a sentence above that the entry alone decides."""
    examples = [row[0] for row in SENTENCES]
    all_entries = entries()
    dead = []
    for simplified, traditional in all_entries:
        if _changes_plain_opencc(simplified):
            continue
        uses = [(s, p) for s in examples if simplified in s for p in PROFILES if ours(p).text(s) != plain(p).convert(s)]
        without = tmp_path / "without.txt"
        without.write_text("".join(f"{s}\t{t}\n" for s, t in all_entries if s != simplified), encoding="utf-8")
        decided = False
        for profile in dict.fromkeys(p for _, p in uses):  # the entry decides if the sentence changes without it
            with monkeypatch.context() as patch:
                patch.setattr(hant, "PHRASES_FILE", without)
                other = Converter(HantSettings(profile))
            if any(other.text(s) != ours(profile).text(s) for s, p in uses if p == profile):
                decided = True
                break
        if not decided:
            dead.append(f"{simplified}\t{traditional}")
    assert dead == []
