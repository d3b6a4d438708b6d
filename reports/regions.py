"""Display names for the codes a report shows: regions (GB/T 2260) and industry divisions
(GB/T 4754-2017 大类). Data only; a code with no entry is shown as the code itself.
"""

from __future__ import annotations

# GB/T 2260: the province, Quzhou and its counties (the service's home region).
REGION_NAMES: dict[str, tuple[str, str]] = {
    "330000": ("浙江省", "Zhejiang Province"),
    "330800": ("衢州市", "Quzhou City"),
    "330802": ("柯城区", "Kecheng District"),
    "330803": ("衢江区", "Qujiang District"),
    "330822": ("常山县", "Changshan County"),
    "330824": ("开化县", "Kaihua County"),
    "330825": ("龙游县", "Longyou County"),
    "330881": ("江山市", "Jiangshan City"),
}

# GB/T 4754-2017 大类 of 门类 B (mining), C (manufacturing) and D (utilities): the
# industrial divisions a carbon account covers.
DIVISION_NAMES: dict[str, tuple[str, str]] = {
    "06": ("煤炭开采和洗选业", "Coal mining and washing"),
    "07": ("石油和天然气开采业", "Oil and gas extraction"),
    "08": ("黑色金属矿采选业", "Ferrous metal ore mining"),
    "09": ("有色金属矿采选业", "Non-ferrous metal ore mining"),
    "10": ("非金属矿采选业", "Non-metallic mineral mining"),
    "11": ("开采专业及辅助性活动", "Mining support activities"),
    "12": ("其他采矿业", "Other mining"),
    "13": ("农副食品加工业", "Agricultural and sideline food processing"),
    "14": ("食品制造业", "Food manufacturing"),
    "15": ("酒、饮料和精制茶制造业", "Liquor, beverages and refined tea"),
    "16": ("烟草制品业", "Tobacco products"),
    "17": ("纺织业", "Textiles"),
    "18": ("纺织服装、服饰业", "Textile garments and apparel"),
    "19": ("皮革、毛皮、羽毛及其制品和制鞋业", "Leather, fur, feather products and footwear"),
    "20": ("木材加工和木、竹、藤、棕、草制品业", "Wood, bamboo, rattan, palm and straw products"),
    "21": ("家具制造业", "Furniture"),
    "22": ("造纸和纸制品业", "Paper and paper products"),
    "23": ("印刷和记录媒介复制业", "Printing and reproduction of recorded media"),
    "24": ("文教、工美、体育和娱乐用品制造业", "Cultural, arts, sports and entertainment goods"),
    "25": ("石油、煤炭及其他燃料加工业", "Petroleum, coal and other fuel processing"),
    "26": ("化学原料和化学制品制造业", "Chemical raw materials and products"),
    "27": ("医药制造业", "Pharmaceuticals"),
    "28": ("化学纤维制造业", "Chemical fibres"),
    "29": ("橡胶和塑料制品业", "Rubber and plastic products"),
    "30": ("非金属矿物制品业", "Non-metallic mineral products"),
    "31": ("黑色金属冶炼和压延加工业", "Ferrous metal smelting and rolling"),
    "32": ("有色金属冶炼和压延加工业", "Non-ferrous metal smelting and rolling"),
    "33": ("金属制品业", "Fabricated metal products"),
    "34": ("通用设备制造业", "General-purpose machinery"),
    "35": ("专用设备制造业", "Special-purpose machinery"),
    "36": ("汽车制造业", "Automobiles"),
    "37": (
        "铁路、船舶、航空航天和其他运输设备制造业",
        "Railway, ship, aerospace and other transport equipment",
    ),
    "38": ("电气机械和器材制造业", "Electrical machinery and equipment"),
    "39": ("计算机、通信和其他电子设备制造业", "Computers, communication and other electronic equipment"),
    "40": ("仪器仪表制造业", "Instruments and meters"),
    "41": ("其他制造业", "Other manufacturing"),
    "42": ("废弃资源综合利用业", "Comprehensive use of waste resources"),
    "43": ("金属制品、机械和设备修理业", "Repair of metal products, machinery and equipment"),
    "44": ("电力、热力生产和供应业", "Electricity and heat production and supply"),
    "45": ("燃气生产和供应业", "Gas production and supply"),
    "46": ("水的生产和供应业", "Water production and supply"),
}


def region_name(code: str, lang: str = "zh") -> str:
    """``330802`` -> ``柯城区`` (or ``Kecheng District``); an unknown code as is."""
    names = REGION_NAMES.get(code)
    if names is None:
        return code
    return names[0] if lang == "zh" else names[1]


def division_name(code: str, lang: str = "zh") -> str:
    """``26`` -> ``化学原料和化学制品制造业``; an unknown division as is."""
    names = DIVISION_NAMES.get(code)
    if names is None:
        return code
    return names[0] if lang == "zh" else names[1]
