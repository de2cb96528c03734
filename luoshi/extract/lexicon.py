"""Words of the report language that extraction keys on: verbs, modality, fillers.

Kept apart from the rules so that a new report's wording is added here, not in the logic.
Every list is compiled once, longest alternative first.
"""

from __future__ import annotations

import re


def _alt(words: str) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words.split()), key=len, reverse=True))


# verbs that stand before what they count: 新增城镇就业3.2万人, 实施79个老旧小区改造工程
VERB_FIRST = _alt(
    """
    新增 增加 覆盖 新建改建 拿出 新建改造 新建改扩建 新改扩建 新改建 新建 改扩建 建设提升 建设运营 建设改造 建设 实施 组织实施 完成 引进
    招引 引育 创建 争创 打造 建成 修复 提供 服务 培育 重点培育 供应 处置 设立 组建 举办 办好 承办 购置 新开通 开通
    增设 改善提升 提升改造 打通 改造 新设 办理 召开 制定修订 制定 提请审议 发放 签约落地 签约 开工建设 新开工
    开工 新登记 培训 认定 出台 推出 开展 新培育 安排 发行 扶持 帮扶 资助 吸纳 开行 建立 推广 新开 扩建 新改造
    提标改造 治理 整治 新造 植树 造林 补植 新种 选派 招聘 招录 转移 接送 救助 减免 筹集 下达 拨付
    发布 落实 投入 落地 使用 守住 确定 储备 谋划 实现 改善 认证 带动 入选 获评 获批 荣获 上榜 跻身 贯通
    用于 惠及
    """
)
# verbs that follow what they measure: 生产总值增长5.5%, 规上工业企业达到1400家
VERB_AFTER = _alt(
    """
    增长 增加 下降 降低 减少 提高 提升 达到 达 突破 超过 实现 保持 稳定 控制 发展到 扩大 缩小
    上涨 安排 压缩 增至 降至 提高到 增加到 下降到 降低到 扩大到 达到了 为 是 完成 缩减 压减 压降 稳定 占 降 增 扩容 上升 回升
    """
)
# verbs that follow a count at the head of a clause: 3家企业入选…, 2个境外城市建立友好关系
VERB_HONOUR = _alt(
    "入选 获评 获批 被评为 被认定为 荣获 上榜 跻身 建立 列入 通过 获得 进入 被授予 达标 安排 建成 投产 受益 参与 纳入"
)

MODAL_RE = re.compile("确保|力争|争取|争创|力求")
# a modality word governs its clause chain up to the end of the sentence or of a ；-item
MODAL_SCOPE_END_RE = re.compile("[；;]")
MODALITY = {
    "确保": "确保",
    "力争": "力争",
    "争取": "争取",
    "争创": "争取",
    "力求": "力争",
}

# words that open a clause without naming anything: modality, time, scope adverbs
_LEAD_WORDS = _alt(
    """
    去年 上年 过去一年 今明两年 力争 争取 确保 力求 预计 全年 年内 今年 当年 本年 年底前 上半年 累计 共 共计 再 还 并 并且 计划 拟 要 将 继续
    持续 进一步 积极 大力 努力 全力 加快 重点 稳步 其中 同时 另外 此外 以及 和 及 与 全面 有序 扎实 着力 推动
    """
)
LEAD_RE = re.compile(
    rf"^(?:[、，,；;：:\s]|{_LEAD_WORDS}|(?:近|过去|这)?(?:[一二三四五六七八九十]+|\d+)年(?:来|间)?(?!以来))+"
)
# words between an indicator and its verb: 均增长, 分别控制在, 继续保持在
_TRAIL_WORDS = _alt(
    "每年 净 平均 实际 名义 比去年 比上年 较去年 比上年末 较上年末 比年初 按可比口径 按可比价格 均 都 分别 再 继续 稳步 进一步 全年 年内 今年 同比 比上年 较上年 年均 总体 力争 确保 预计 将 拟 要 可 基本 也 仍 还 已 已经"
)
TRAIL_RE = re.compile(rf"(?:{_TRAIL_WORDS})+$")
DISTRIBUTE_RE = re.compile(r"(?<!平)(?:均|都)(?:{_TRAIL})?$".replace("{_TRAIL}", _TRAIL_WORDS))

# comparator words written before the number but after the verb: 控制在…以内, 约, 近
NUM_PREFIX_RE = re.compile(
    r"(?:接近|高于|低于|不低于|不少于|不超过|不高于|不大于|不小于|至少|约|近|达|在|到|为|至|按|超|逾)+$"
)

# 不超过/不低于 before a number qualify it; they are not the verb 超过/低于
NEGATED_CMP_RE = re.compile(r"不(?:低于|少于|超过|高于|大于|小于)$")
VERB_FIRST_RE = re.compile(rf"^(?:{VERB_FIRST})(?!业)")
VERB_FIRST_ANY_RE = re.compile(rf"(?:{VERB_FIRST})(?!业)")
VERB_FIRST_END_RE = re.compile(rf"(?:{VERB_FIRST})$")
VERB_AFTER_END_RE = re.compile(rf"(?P<verb>{VERB_AFTER})(?:在|到|为|至)?$")
# light verbs that may open an indicator-first clause: 实现有效发明专利增长10%
LIGHT_VERB_RE = re.compile("^(?:实现|推动|促进|确保|力争|争取|安排)")
# result predicates a counted subject reaches: 8个贫困县全部摘帽, 600多万考生顺利完成高考,
# 12家企业实现上市, 5个项目建成投产; the adverbs before them are not part of the indicator
VERB_RESULT = _alt(
    "脱贫 摘帽 出列 完成 建成 投产 竣工 实现 通过 投用 投运 开业 并网 通车 达标 挂牌 上市 落地 销号 清零 交付 启用"
)
_RESULT_ADVERBS = _alt("全部 全面 顺利 基本 均 已 已经 先后 相继 成功 如期 提前 按期 率先 陆续 整体 全数")
# a counted subject and what it reached or won: 3家企业入选…, 8个贫困县全部摘帽; the predicate must
# not be the head of a measure noun (完成率, 达标率, 实现额)
SUBJECT_PREDICATE_RE = re.compile(
    rf"(?:{_RESULT_ADVERBS})*(?P<verb>{VERB_HONOUR}|{VERB_RESULT})(?![率量额值数度])"
)
ANY_VERB_START_RE = re.compile(rf"^(?:{VERB_HONOUR}|{VERB_FIRST}|{VERB_AFTER})")

# list separators inside an indicator (not inside quotes)
LIST_SEP_RE = re.compile(r"、|以及|和(?![美谐睦])|(?<![普涉波危惠触])及(?![时早格])|(?<![参给])与(?!会)")
QUOTED_RE = re.compile(r"“[^”]*”|《[^》]*》|「[^」]*」|‘[^’]*’|\"[^\"]*\"")
CLAUSE_SEP_RE = re.compile(r"[，；：。！？,;:!?]")
GAP_LIST_RE = re.compile(r"^(?:、|和|及|与|以及|，)$")

FUTURE_RE = re.compile(r"将(?:[^，；。]{0,4})?$|后[^，；。]{0,6}将|将来|届时")
# a fact already true is no promise: 我国60岁以上人口已达2.5亿, 关税总水平已由15.3%降到12%
PAST_RE = re.compile(r"已经?(?:[^，；。]{0,2})?$|已经?[由从][^，；。]*(?:到|至)$")
# the starting point of a change is not part of the indicator: 报销比例由50%提高到60%
FROM_RE = re.compile(r"(?<=[\u4e00-\u9fff”）)])(?:由|从)[^，；。]*\d[^，；。]*$")

# a headline clause without a number: where the predicate starts
QUAL_PREDICATE_RE = re.compile(
    "全部|统筹考核|不高于|不低于|高于|站稳|保持|促稳|保稳|量稳质升|稳中|稳步|基本|继续|进一步|持续|同步|完成|下降|增长|改善|提质|平衡|稳定|降低|控制|有效|明显|不断|显著"
)

# counts that are part of a set phrase, not quantities: 56个民族, 八项规定, 两个确立, 四个意识
SET_COUNT_RE = re.compile(
    r"(?:56|五十六)个民族|八项规定|[两二]个(?:确立|维护|毫不动摇|大局|积极性|市场|一百年|务必|先行)"
    r"|[三四五]个(?:意识|自信|全面|统筹|文明|现代化)|[三四五六七八九十]大(?:攻坚战|战略|工程|行动)"
    r"|[两二三四]种资源"
)

# a generic measure noun naming an attribute of what the clause already named: 规模, 总量
ATTRIBUTE_NOUN_RE = re.compile(r"^(?:规模|总规模|总量|总额|余额|增速|增幅|占比|比重)$")

# where the measure part of an indicator starts, shared by every item of a list written before it:
# 居民医保和基本公共卫生服务经费人均财政补助标准 → 人均财政补助标准 (居民医保人均财政补助标准 …)
MEASURE_HEAD_RE = re.compile(
    r"(?:人均|户均|平均|年均)[\u4e00-\u9fff]*$|(?:补助标准|排放量|[\u4e00-\u9fff]{2}率|比例|比重|浓度|资费|标准)$"
)
# an indicator that already names a measure keeps its own name: 开发区工业投资
MEASURE_END_RE = re.compile(
    r"(?:投资|产值|增加值|收入|总额|额|量|率|数|值|规模|支出|比例|比重|标准|费|价格|浓度|资费|人数|面积|产量|效益|贷款|利润)$"
)

# a list item that is a clause of its own (it has its predicate): 黑臭水体动态清零、9个…比例达到100%
PREDICATE_END_RE = re.compile(
    r"(?:清零|全覆盖|覆盖|达标|到位|完成|落实|改善|提升|提高|下降|增长|稳定|消除|平衡|同步|提质|见效|销号|"
    r"脱贫|摘帽|实现|建成|投用|运行|开工|竣工|贯通|通车)$"
)

# a clause that says what is NOT counted or how a target is accounted: a note, not a target
ACCOUNTING_NOTE_RE = re.compile(r"不(?:纳入|计入|列入|包括|包含|含|计算|作为|占用)")

# a clause that only restates a target already set: 预期目标设定为6%以上
TARGET_RESTATED_RE = re.compile(r"目标(?:值)?(?:设定|确定|定|设|拟定)?为")

# a fact the government does not control, stated as the setting of the promise that follows:
# 今年高校毕业生超过1000万人，要加强就业创业指导
STATE_VERB_RE = re.compile(r"^(?:超过|突破|达|有|约为|接近|将达)$")
PROMISE_FOLLOWS_RE = re.compile(r"[，,](?:我们|各地|各级政府)?(?:要|需要|必须|务必|应当|应|需)")

# --- counts before their noun, governed by any verb (建好30家…, 遴选10个左右…) -------------------
# what may stand right before a count that does NOT govern it as its object: an ordinal (第, 届), a duration or rank (连续, 近, 前), a threshold (超, 逾, 过), a capacity (年产),
# a quantifier (每, 各), an adjective of a name (新20条措施)
COUNT_NOT_GOVERNED_RE = re.compile(
    r"(?:第|届|连续|近|前|后|超|逾|过|年产|日产|年处理|日处理|产能|装机|每|各|新|首|逐年|近年|"
    r"由|从|被|以下|如下|下列|上述|这|该|其|此)$"
)
# prepositions that introduce the counted beneficiaries or places of the action that follows, and
# the 把/将 that puts the counted object before its verb: 为10万名残疾人提供…, 对10万名适龄女童
# 进行…, 向8个市下放…, 在500个行政村实施…, 将2.8万亿元中央财政资金纳入直达机制
COUNT_PREPOSITION_RE = re.compile(r"(?:^|[^\u4e00-\u9fff]|[是并再还要将])(?P<prep>为|对|向|给|在|帮助|把|将)$")
# adverbs that open a verb phrase without being the verb (加快推进, 重点支持, 分类推进)
ADVERB_LEAD_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+是|加快|持续|扎实|积极|大力|努力|全力|重点|稳步|全面|有序|着力|进一步|继续|深入|切实|"
    r"分类|统筹|力争|争取|确保|计划|拟|要|将|再|还|并|同时|共|累计|新|全年|年内|今年|去年)+"
)
# where the predicate of a counted subject starts: 21个产业创新聚集区启动建设, 5条高铁加快建设,
# 147项医检结果全省三甲医院互认 (a place before the verb), 5部作品获“五个一工程”奖
_SUBJECT_RESULTS = _alt(
    "上线 落户 升格 就业 享受 消除 揭牌 布局 取得 运行 提质 扩优 远离 覆盖 惠及 受益 开工 竣工 投用 获 "
    "跻身 晋升 转型 整合 迁建 搬迁 脱贫 退出 达到 实现"
)
PREDICATE_START_RE = re.compile(
    rf"(?:{_RESULT_ADVERBS}|加快|启动|持续|稳步|正式|高效|有序|扎实|获得?|被|入选|入围|纳入|列入|"
    rf"{VERB_HONOUR}|{VERB_RESULT}|{_SUBJECT_RESULTS}|全省|全市|全国|(?<![所正存现实])在)"
)
# where a predicate starts with a place, not its verb (3名运动员在杭州亚运会摘得…)
PLACE_START_RE = re.compile("全省|全市|全国|在")
# any verb a counted subject may take (28个省份开展大病医疗保险试点), places and adverbs left out
PREDICATE_VERB_RE = re.compile(rf"(?:{VERB_HONOUR}|{VERB_RESULT}|{_SUBJECT_RESULTS}|{VERB_FIRST})")
# the object of the counted action names a project whose capacity the count states: 50万吨甲醇制乙醇
# 项目, 榆能西南70万千瓦热电项目, 吉化120万吨乙烯转型升级项目
PROJECT_NOUN_RE = re.compile(r"项目|工程|装置|生产线|基地|机组|电站|电厂|气田|油田|矿井|煤矿")
CAPACITY_UNITS = frozenset("吨 千瓦 千瓦时 瓦 立方米 方 标箱 标准箱 吨标准煤 头 只".split())
# a rank, not a count: 14种农产品产量居全国第1位, 进步最明显的5个地级市首位
RANK_RE = re.compile(r"居[^，；。]*(?:第|前|首位)|位列|位居|排名|排[^，；。]{0,4}第|首位")
# a people counted as a whole, in the rhetoric that closes a review: 560万人民群众众志成城
PEOPLE_AS_WHOLE_RE = re.compile(r"^(?:[\u4e00-\u9fff]{0,4})(?:人民|儿女|同胞|各族)")
# where a count stands, not what governs it: 全市18个乡镇通过省级验收
SCOPE_RE = re.compile(
    r"(?:全|我|本|各)[市省县区国州盟旗]|其中|省级层面|市级层面|中心城区|全年|(?:我国|全国|全省|全市)?(?<!拥)有"
)

# --- a subject shared by a list of measures or named in the previous clause ------------------------
# measure nouns that need a subject to be read (死亡人数 of what?): 生产安全事故起数、死亡人数分别下降…
_BARE_MEASURES = _alt(
    """
    起数 人数 死亡人数 受伤人数 直接经济损失 经济损失 营业收入 营收 收入 利润 利润总额 产量 总产量 播种面积
    产值 总产值 增加值 销售额 销售收入 出口额 进口额 进出口额 税收 户数 数量 总量 金额 余额 交易额 成交额
    营业额 资产总额 客流量 货运量 吞吐量 投资额 发病率 死亡率
    """
)
BARE_MEASURE_END_RE = re.compile(rf"(?:{_BARE_MEASURES})$")
BARE_MEASURE_RE = re.compile(rf"^(?:{_BARE_MEASURES})$")
# where the subject that opens a sentence ends: 石化产业持续“减油增化提质”
SUBJECT_END_RE = re.compile(
    "持续|加快|深入|不断|全面|稳步|实现|推动|加速|积极|着力|大力|进一步|保持|继续|坚持|聚焦|围绕|[，,：:“]"
)
# a pair written as one word, each member with its own value (城乡居民人均可支配收入分别增长5%、6%)
PAIRED_WORDS = {"城乡居民": ("城镇居民", "农村居民"), "城乡": ("城镇", "农村"), "存贷款": ("存款", "贷款")}
PAIRED_WORD_RE = re.compile("|".join(sorted(PAIRED_WORDS, key=len, reverse=True)))
# a clause that compares the value just stated with a benchmark: its indicator is the one before
# (比例达到66.25%，超过全国平均水平0.28个百分点)
COMPARED_RE = re.compile(r"^(?:高于|低于|超过|优于|快于|慢于|好于|超出)(?:全国|全省|全市|全区|国家)[^，；。]{0,6}(?:平均|目标|水平)")
