"""Pinyin of Chinese personal names, with surname readings pypinyin gets wrong.

pypinyin reads a name as ordinary text, so 单 comes out dān and 曾 céng. As a
surname they are shàn and zēng; the table below is data, extend it freely.
"""

from __future__ import annotations

import threading
from functools import lru_cache

# Compound surnames first (two characters), then single ones whose surname reading differs.
SURNAME_READINGS: dict[str, list[str]] = {
    "欧阳": ["ou", "yang"], "司马": ["si", "ma"], "上官": ["shang", "guan"], "诸葛": ["zhu", "ge"],
    "东方": ["dong", "fang"], "皇甫": ["huang", "fu"], "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"],
    "单于": ["chan", "yu"], "长孙": ["zhang", "sun"], "令狐": ["ling", "hu"], "澹台": ["tan", "tai"],
    "夏侯": ["xia", "hou"], "宇文": ["yu", "wen"], "公孙": ["gong", "sun"], "慕容": ["mu", "rong"],
    "司徒": ["si", "tu"], "轩辕": ["xuan", "yuan"], "南宫": ["nan", "gong"], "呼延": ["hu", "yan"],
    "单": ["shan"], "曾": ["zeng"], "解": ["xie"], "仇": ["qiu"], "区": ["ou"], "朴": ["piao"],
    "查": ["zha"], "盖": ["ge"], "乐": ["yue"], "缪": ["miao"], "覃": ["qin"], "翟": ["zhai"],
    "召": ["shao"], "折": ["she"], "繁": ["po"], "员": ["yun"], "隗": ["wei"], "秘": ["bi"],
    "种": ["chong"], "冼": ["xian"], "重": ["chong"], "句": ["gou"], "过": ["guo"], "能": ["nai"],
    "阚": ["kan"], "厍": ["she"], "祭": ["zhai"], "都": ["du"], "卜": ["bu"], "薄": ["bo"],
    "宿": ["su"], "黑": ["he"], "柏": ["bai"], "车": ["che"], "逄": ["pang"], "谌": ["chen"],
    "訾": ["zi"], "莘": ["shen"], "朝": ["chao"], "牟": ["mou"], "尉": ["wei"], "相": ["xiang"],
    "藏": ["zang"], "行": ["xing"], "沈": ["shen"], "石": ["shi"], "任": ["ren"], "华": ["hua"],
    "燕": ["yan"], "纪": ["ji"], "应": ["ying"], "蔚": ["yu"], "郇": ["huan"], "恽": ["yun"],
}


def split_surname(name: str) -> tuple[str, str]:
    if len(name) >= 3 and name[:2] in SURNAME_READINGS:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=1 << 16)
def _syllables(text: str) -> tuple[str, ...]:
    """pypinyin's reading of a surname or a given name, lower case, ü written as v. A school's
    thousands of names share a few thousand given names and a few hundred surnames: each is read
    once. pypinyin's dictionaries take ~0.2 s to load, so it is imported only when a name is new."""
    from pypinyin import Style, lazy_pinyin
    return tuple(p.lower() for p in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False) if p.strip())


def name_syllables(name: str) -> tuple[list[str], list[str]]:
    """(surname syllables, given-name syllables), lower case, ü written as v. The surname is
    read apart from the given name: as a surname it has its own reading (SURNAME_READINGS), and
    a phrase that would span both (a surname read together with the first given character) is
    not how a name is said."""
    surname, given = split_surname(name)
    sur = SURNAME_READINGS.get(surname) or (_syllables(surname) if surname else ())
    giv = _syllables(given) if given else ()
    return list(sur), list(giv)


def name_keys(name: str) -> tuple[str, str, str]:
    """(full pinyin, initials, given-name pinyin) for searching: 张三 → zhangsan, zs, san."""
    sur, giv = name_syllables(name)
    syllables = sur + giv
    return "".join(syllables), "".join(s[0] for s in syllables), "".join(giv)


def warm_up_while(waiting) -> None:
    """Load pypinyin's dictionaries on another thread while `waiting()` runs: an import's names
    need them later, and python-calamine builds a sheet without holding the interpreter, so the
    ~0.2 s of loading costs nothing there instead of delaying the writing."""
    loader = threading.Thread(target=_syllables, args=("三",), name="pinyin-warm-up")
    loader.start()
    try:
        return waiting()
    finally:
        loader.join()
