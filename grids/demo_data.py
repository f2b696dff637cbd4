"""Place names for the demo city: Guilin's real county-level divisions and their streets/townships.

Streets and townships follow the divisions as published around the report's
time; below them (communities, compounds...) the demo makes names up.
"""

CITY = ("4503", "桂林市")

# (code, name, is_urban_district, [streets/townships]); 街道 hold urban communities, 镇/乡 hold villages.
DISTRICTS: list[tuple[str, str, bool, list[str]]] = [
    ("450302", "秀峰区", True, ["秀峰街道", "丽君街道", "甲山街道"]),
    ("450303", "叠彩区", True, ["叠彩街道", "北门街道", "大河乡"]),
    ("450304", "象山区", True, ["象山街道", "南门街道", "平山街道", "二塘乡"]),
    ("450305", "七星区", True, ["七星街道", "东江街道", "穿山街道", "漓东街道", "朝阳乡"]),
    ("450311", "雁山区", True, ["雁山镇", "柘木镇", "大埠乡", "草坪回族乡"]),
    (
        "450312",
        "临桂区",
        True,
        [
            "临桂镇",
            "六塘镇",
            "会仙镇",
            "两江镇",
            "五通镇",
            "四塘镇",
            "南边山镇",
            "中庸镇",
            "茶洞镇",
            "宛田瑶族乡",
            "黄沙瑶族乡",
        ],
    ),
    (
        "450321",
        "阳朔县",
        False,
        ["阳朔镇", "白沙镇", "福利镇", "兴坪镇", "葡萄镇", "高田镇", "金宝乡", "普益乡", "杨堤乡"],
    ),
    (
        "450323",
        "灵川县",
        False,
        [
            "灵川镇",
            "大圩镇",
            "定江镇",
            "三街镇",
            "潭下镇",
            "九屋镇",
            "灵田镇",
            "潮田乡",
            "海洋乡",
            "大境瑶族乡",
            "兰田瑶族乡",
            "公平乡",
        ],
    ),
    (
        "450324",
        "全州县",
        False,
        [
            "全州镇",
            "黄沙河镇",
            "庙头镇",
            "文桥镇",
            "大西江镇",
            "龙水镇",
            "才湾镇",
            "绍水镇",
            "石塘镇",
            "咸水镇",
            "凤凰镇",
            "安和镇",
            "两河镇",
            "枧塘镇",
            "永岁镇",
            "蕉江瑶族乡",
            "东山瑶族乡",
            "白宝乡",
        ],
    ),
    (
        "450325",
        "兴安县",
        False,
        ["兴安镇", "湘漓镇", "界首镇", "高尚镇", "严关镇", "溶江镇", "崔家乡", "漠川乡", "白石乡", "华江瑶族乡"],
    ),
    (
        "450326",
        "永福县",
        False,
        ["永福镇", "罗锦镇", "百寿镇", "苏桥镇", "三皇镇", "堡里镇", "广福乡", "龙江乡", "永安乡"],
    ),
    (
        "450327",
        "灌阳县",
        False,
        ["灌阳镇", "黄关镇", "文市镇", "新街镇", "新圩镇", "水车镇", "观音阁乡", "洞井瑶族乡", "西山瑶族乡"],
    ),
    (
        "450328",
        "龙胜各族自治县",
        False,
        ["龙胜镇", "瓢里镇", "三门镇", "龙脊镇", "平等镇", "乐江镇", "泗水乡", "江底乡", "马堤乡", "伟江乡"],
    ),
    ("450329", "资源县", False, ["资源镇", "中峰镇", "梅溪镇", "瓜里乡", "车田苗族乡", "两水苗族乡", "河口瑶族乡"]),
    (
        "450330",
        "平乐县",
        False,
        ["平乐镇", "二塘镇", "沙子镇", "同安镇", "张家镇", "源头镇", "阳安乡", "青龙乡", "大发瑶族乡", "桥亭乡"],
    ),
    (
        "450332",
        "恭城瑶族自治县",
        False,
        ["恭城镇", "栗木镇", "莲花镇", "嘉会镇", "西岭镇", "平安镇", "三江乡", "观音乡", "龙虎乡"],
    ),
    (
        "450381",
        "荔浦市",
        False,
        [
            "荔城镇",
            "东昌镇",
            "新坪镇",
            "杜莫镇",
            "青山镇",
            "修仁镇",
            "大塘镇",
            "花篢镇",
            "双江镇",
            "马岭镇",
            "龙怀乡",
            "茶城乡",
            "蒲芦瑶族乡",
        ],
    ),
]

# 解东社区 of 秀峰街道 is the community pictured in the report; it comes first.
COMMUNITY_STEMS = [
    "解东",
    "解西",
    "中山",
    "榕湖",
    "桂湖",
    "芙蓉",
    "翠竹",
    "凤集",
    "鲁家",
    "施家园",
    "三多",
    "宝积",
    "铁佛",
    "东镇",
    "叠彩",
    "北门",
    "龙珠",
    "观漓",
    "象山",
    "南门",
    "平山",
    "瓦窑",
    "崇信",
    "净瓶",
    "七星",
    "东江",
    "穿山",
    "漓东",
    "普陀",
    "龙隐",
    "建干",
    "丽君",
    "甲山",
    "西门",
    "文昌",
    "漓江",
    "桃花江",
    "兴进",
    "桂林路",
    "花桥",
]
VILLAGE_STEMS = [
    "大岭",
    "上寨",
    "下寨",
    "新村",
    "石门",
    "龙头",
    "水口",
    "白竹",
    "黄泥",
    "江头",
    "桥头",
    "塘边",
    "岩口",
    "马坪",
    "枫木",
    "茶园",
    "竹山",
    "凤凰",
    "高岭",
    "山口",
    "莲塘",
    "古岭",
    "青狮",
    "金竹",
    "社山",
    "旧县",
    "杨梅",
    "大圩",
]
COMPOUND_STEMS = [
    "桂花园",
    "漓江苑",
    "翠竹苑",
    "书香门第",
    "阳光城",
    "滨江花园",
    "金色家园",
    "和平里",
    "电力小区",
    "教师新村",
    "铁路新村",
    "象山花园",
    "芦笛新城",
    "彰泰花园",
    "万达华府",
    "桂湖苑",
    "榕湖小区",
    "秀峰苑",
    "七星花园",
    "穿山新村",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒋莫蓝"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉兰建国志红文斌海燕"


# Mobile prefixes of the three carriers (China Mobile, Unicom, Telecom): plausible numbers for demo people.
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "158", "186", "185", "156", "189", "177", "180")
# Ranges of demo mobiles: the grid people (grids/demo.py) from 0, the departments' members (issues/demo.py)
# and the co-building units' contacts (contracts/demo) above.
MOBILE_DEPARTMENTS_FROM = 50_000_000
MOBILE_CONTACTS_FROM = 60_000_000
MOBILE_STATION_FROM = 70_000_000  # service_centers/demo: the red station's demo account
MOBILE_SECRETARY_FROM = 80_000_000  # party/demo: the demo party secretary


def demo_mobile(n: int) -> str:
    """The n-th demo person's mobile: deterministic, unique for n < 10**8, and not a visible run.

    The eight digits after the prefix are n through a bijection of 0..10**8-1 (7,919 is coprime with
    10**8), so two people never share a number whatever the prefix.
    """
    prefix = MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]
    return f"{prefix}{(n * 7919 + 20_260_101) % 10**8:08d}"
