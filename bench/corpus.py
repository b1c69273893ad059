"""A deterministic corpus of synthetic Chinese federation news for benchmarks.

The same --seed and --n always give byte-identical files. Text, sizes and the category and tag
mix follow the shared benchmark corpus the peers' figures were measured on: bodies of 1.5-4 KB
in 4-12 paragraphs, about a quarter with 1、 numbered items, a fifth with 一、 headings, a few
tables, lists and links; eight categories weighted towards 工作动态; one to four tags from a
Zipf-like vocabulary of 24.

    python bench/corpus.py --n 1000 --out DIR                  # a fedpress site: DIR/config.yaml, DIR/content/<category>/
    python bench/corpus.py --n 1000 --out DIR --flavor hugo    # the same articles as a Hugo site
    python bench/corpus.py --n 1000 --out DIR --flavor pelican # the same articles as a Pelican site
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

CATEGORIES = [  # (key, name, weight)
    ("gongzuo-dongtai", "工作动态", 30), ("jinguo-fengcai", "巾帼风采", 12), ("funv-zhichuang", "妇女之窗", 10),
    ("tongzhi-gonggao", "通知公告", 8), ("changyishu", "倡议书", 3), ("jiating-jiaoyu", "家庭教育", 12),
    ("weiquan-fuwu", "维权服务", 10), ("jiceng-dongtai", "基层动态", 15),
]
TAGS = ["三八妇女节", "六一儿童节", "家庭教育", "家风建设", "乡村振兴", "巾帼志愿者", "妇女维权", "反家庭暴力",
        "两癌筛查", "春蕾计划", "最美家庭", "创业就业", "技能培训", "心理健康", "普法宣传", "儿童关爱",
        "留守儿童", "困难帮扶", "妇联改革", "基层组织建设", "巾帼建功", "女性人才", "婚姻家庭", "托育服务"]
PLACES = ["义马市", "渑池县", "陕州区", "灵宝市", "卢氏县", "湖滨区", "千秋路街道", "新区街道", "东区街道", "泰山路街道",
          "常村路街道", "朝阳路街道", "新义街道", "苗圃社区", "常村社区", "南河社区", "石佛村", "狂口村"]
BODIES = ["妇联", "妇联执委会", "妇女儿童工作委员会", "巾帼志愿服务队", "妇女议事会", "家长学校", "妇女之家",
          "儿童之家", "巾帼创业联盟", "女企业家协会", "家庭教育指导服务站", "妇女维权服务站", "巾帼宣讲团"]
WORK = ["家庭教育", "家风建设", "乡村振兴", "妇女儿童权益保障", "留守儿童关爱", "困难妇女帮扶", "巾帼志愿服务",
        "两癌筛查", "妇女创业就业", "技能培训", "婚姻家庭辅导", "反家庭暴力", "未成年人保护", "心理健康服务",
        "法律援助", "普法宣传", "最美家庭创建", "巾帼建功立业", "电商直播培训", "手工编织产业", "春蕾计划",
        "儿童友好社区建设", "托育服务", "妇女议事协商", "基层组织建设", "平安家庭建设", "科学育儿指导"]
EVENTS = ["主题宣讲活动", "专题培训班", "座谈会", "工作推进会", "志愿服务活动", "集中宣传活动", "亲子阅读活动",
          "公益讲座", "入户走访活动", "技能大赛", "表彰大会", "线上直播课", "分享交流会", "现场观摩会", "义诊活动"]
PEOPLE = ["广大妇女", "留守儿童", "困难妇女", "妇女群众", "家长", "农村妇女", "新就业形态女性", "老年妇女",
          "巾帼志愿者", "基层妇联干部", "妇联执委", "困境儿童", "辖区居民", "女性创业者"]
WHEN = ["近日", "日前", "今年以来", "“三八”国际妇女节前夕", "六一国际儿童节来临之际", "春节前夕", "暑假期间", "国际家庭日当天"]
HOW = ["扎实", "深入", "广泛", "积极", "有效", "精准", "持续", "切实", "多措并举", "用心用情"]
DO = ["开展", "举办", "组织", "推进", "深化", "落实", "加强", "推动", "聚焦", "统筹推进"]
AIMS = ["为推进{work}贡献巾帼力量", "进一步增强广大妇女的获得感、幸福感、安全感", "营造全社会关心关爱{people}的良好氛围",
        "推动{work}工作走深走实", "切实把党的温暖送到{people}心坎上", "努力打通服务妇女群众的“最后一公里”"]
OUTCOMES = ["受到{people}的广泛好评", "现场气氛热烈，参与群众纷纷表示收获满满", "有效提升了{people}的参与感和认同感",
            "进一步扩大了{work}工作的覆盖面和影响力", "形成了可复制、可推广的经验做法"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = ["丽", "芳", "娜", "敏", "静", "秀英", "桂英", "玉兰", "海燕", "红梅", "晓燕", "丽华", "淑珍", "春梅", "雅琴", "晓红"]
HEADS = ["工作开展情况", "主要做法", "取得的成效", "下一步工作打算", "活动安排", "有关要求", "联系方式", "典型案例"]
NUMERALS = "一二三四五六七八"


class Writer:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def pick(self, options: list | str) -> str:
        return self.random.choice(options)

    def name(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    def fill(self, pattern: str) -> str:
        return pattern.format(work=self.pick(WORK), people=self.pick(PEOPLE))

    def sentence(self) -> str:
        r = self.random
        kind = r.randrange(5)
        if kind == 0:
            text = (f"{self.pick(WHEN)}，{self.pick(PLACES)}{self.pick(BODIES)}{self.pick(DO)}{self.pick(WORK)}{self.pick(EVENTS)}，"
                    f"{self.fill(self.pick(AIMS))}。")
        elif kind == 1:
            text = (f"{self.pick(PLACES)}{self.pick(BODIES)}已累计{self.pick(DO)}{self.pick(EVENTS)}{r.randint(2, 300)}场次，"
                    f"惠及{self.pick(PEOPLE)}{r.randint(30, 20000)}人次，{self.fill(self.pick(OUTCOMES))}。")
        elif kind == 2:
            text = (f"{self.pick(BODIES)}{self.pick(HOW)}{self.pick(DO)}{self.pick(WORK)}，{self.pick(HOW)}{self.pick(DO)}{self.pick(WORK)}，"
                    f"{self.fill(self.pick(AIMS))}。")
        elif kind == 3:
            text = f"参加活动的{self.pick(PEOPLE)}代表{self.name()}说：“这样的活动很接地气，我们学到了很多实用的知识。”"
        else:
            text = f"下一步，{self.pick(BODIES)}将{self.pick(HOW)}{self.pick(DO)}{self.pick(WORK)}，{self.fill(self.pick(AIMS))}。"
        if r.random() < 0.04:
            cut = text.find("，")
            text = f"**{text[:cut]}**{text[cut:]}" if cut > 2 else text
        return text

    def paragraph(self, size: int) -> str:
        parts = [self.sentence()]
        while len("".join(parts).encode()) < size:
            parts.append(self.sentence())
        return "".join(parts)

    def title(self, category: str) -> str:
        r = self.random
        if category == "通知公告":
            return f"关于开展{r.randint(2018, 2026)}年度{self.pick(WORK)}工作的通知"
        if category == "倡议书":
            return f"关于{self.pick(WORK)}的倡议书"
        return self.pick([f"{self.pick(PLACES)}{self.pick(BODIES)}{self.pick(DO)}{self.pick(WORK)}{self.pick(EVENTS)}",
                          f"{self.pick(WORK)}进{self.pick(['社区', '乡村', '校园', '企业', '家庭'])}：{self.fill(self.pick(AIMS))}",
                          f"{self.name()}：扎根基层的“娘家人”"])

    def table(self) -> str:
        rows = ["| 序号 | 姓名 | 单位 | 荣誉称号 |", "| --- | --- | --- | --- |"]
        rows += [f"| {i + 1} | {self.name()} | {self.pick(PLACES)}{self.pick(BODIES)} | {self.pick(['三八红旗手', '最美家庭', '巾帼建功标兵'])} |"
                 for i in range(self.random.randint(4, 10))]
        return "\n".join(rows)

    def article(self, index: int) -> dict:
        r = self.random
        key, category, _ = r.choices(CATEGORIES, weights=[w for *_, w in CATEGORIES])[0]
        start = dt.datetime(2018, 1, 1, 8, 0)
        date = start + dt.timedelta(minutes=int(r.random() * (dt.datetime(2026, 6, 30) - start).total_seconds() // 60))
        weights = [1.0 / (k + 1) for k in range(len(TAGS))]
        tags: list[str] = []
        for _ in range(r.choice([1, 1, 2, 2, 2, 3, 3, 4])):
            tag = r.choices(TAGS, weights=weights)[0]
            if tag not in tags:
                tags.append(tag)
        paragraphs, total = r.randint(4, 12), r.randint(1500, 4000)
        size = max(60, total // paragraphs - 40)
        heads, numbered, listed, table, link = (r.random() < p for p in (0.20, 0.25, 0.10, 0.06, 0.15))
        blocks, head = [], 0
        for number in range(paragraphs):
            if heads and number in (1, paragraphs // 2, paragraphs - 1) and head < len(NUMERALS):
                blocks.append(f"## {NUMERALS[head]}、{self.pick(HEADS)}")
                head += 1
            blocks.append(self.paragraph(size))
            if numbered and number == paragraphs // 2:
                blocks += [f"{j + 1}、{self.sentence()}" for j in range(r.randint(3, 6))]
            if listed and number == paragraphs // 3:
                blocks.append("\n".join(f"{j + 1}. {self.sentence()}" for j in range(r.randint(3, 5))))
            if table and number == paragraphs - 2:
                blocks.append(self.table())
        if link:
            blocks.append(f"详情请见[相关政策解读](https://www.example.org.cn/zhengce/{r.randint(1000, 99999)}.html)。")
        if category in ("通知公告", "倡议书"):
            blocks.append(f"{self.pick(PLACES)}妇联  \n{date.year}年{date.month}月{date.day}日")
        first = next(b for b in blocks if not b.startswith("##"))
        return {"key": key, "category": category, "title": self.title(category), "date": date, "tags": tags,
                "source": f"{self.pick(PLACES)}妇联", "author": self.name(), "summary": first.replace("**", "")[:60] + "……",
                "slug": f"{date:%Y%m%d}-{index:05d}", "body": "\n\n".join(blocks) + "\n"}


def _front_matter(article: dict, flavor: str) -> str:
    quote = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - JSON strings are valid YAML
    lines = ["---", f"title: {quote(article['title'])}"]
    if flavor == "hugo":
        lines += [f"date: {article['date']:%Y-%m-%dT%H:%M:%S}+08:00", f"categories: [{quote(article['category'])}]"]
    else:
        lines += [f"date: {article['date']:%Y-%m-%d %H:%M:%S}", f"category: {quote(article['category'])}"]
    lines += [f"tags: [{', '.join(quote(t) for t in article['tags'])}]", f"source: {quote(article['source'])}",
              f"author: {quote(article['author'])}", f"summary: {quote(article['summary'])}", "---", ""]
    return "\n".join(lines)


def _pelican_header(article: dict) -> str:
    return "\n".join([f"Title: {article['title']}", f"Date: {article['date']:%Y-%m-%d %H:%M}", f"Category: {article['category']}",
                      f"Tags: {', '.join(article['tags'])}", f"Slug: {article['slug']}", f"Author: {article['author']}",
                      f"Summary: {article['summary']}", "", ""])


def site_config(per_page: int = 20) -> str:
    categories = "\n".join(f"  - {{key: {key}, name: {name}}}" for key, name, _ in CATEGORIES)
    return (f"site:\n  title: 基准测试妇联\n  organisation: 基准测试妇联\n  base_url: https://bench.example.org.cn/\n"
            f"categories:\n{categories}\nper_page: {per_page}\n")


def write_corpus(out: Path, n: int, seed: int = 20240308, flavor: str = "fedpress") -> int:
    writer = Writer(seed)
    total = 0
    for index in range(n):
        article = writer.article(index)
        if flavor == "hugo":
            path, text = out / "content/posts" / f"{article['slug']}.md", _front_matter(article, "hugo") + article["body"]
        elif flavor == "pelican":
            path, text = out / "content" / article["key"] / f"{article['slug']}.md", _pelican_header(article) + article["body"]
        else:
            path, text = out / "content" / article["key"] / f"{article['slug']}.md", _front_matter(article, "fedpress") + article["body"]
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not (path.is_file() and path.read_bytes() == data):  # a corpus written before is only mended
            path.write_bytes(data)
        total += len(data)
    if flavor == "fedpress":
        (out / "config.yaml").write_text(site_config(), encoding="utf-8")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20240308)
    parser.add_argument("--flavor", choices=["fedpress", "hugo", "pelican"], default="fedpress")
    args = parser.parse_args()
    size = write_corpus(args.out, args.n, args.seed, args.flavor)
    print(f"{args.n} articles, {size} bytes -> {args.out}")


if __name__ == "__main__":
    main()
