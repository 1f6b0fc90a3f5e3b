"""Pinyin keys of names: what 学生花名册's search box matches (zhangsan, zs, san)."""

import threading

import pytest

from jiaoyuapp.roster import pinyin_names


def test_surnames_are_read_as_surnames_and_keys_have_three_forms():
    """A teacher typing shanmin or zs would not find 单敏 or 张三 if the keys were wrong."""
    assert pinyin_names.name_keys("张三") == ("zhangsan", "zs", "san")
    assert pinyin_names.name_keys("单敏")[0] == "shanmin"
    assert pinyin_names.name_keys("欧阳娜娜")[:2] == ("ouyangnana", "oynn")


def test_warm_up_returns_what_it_waited_for_and_leaves_no_thread_behind():
    """An import whose sheet cannot be built must still report why, and never hang on exit."""
    assert pinyin_names.warm_up_while(lambda: 42) == 42
    assert pinyin_names._syllables("三") == ("san",)

    def broken():
        raise ValueError("sheet broken")
    with pytest.raises(ValueError, match="sheet broken"):
        pinyin_names.warm_up_while(broken)
    assert not [t for t in threading.enumerate() if t.name == "pinyin-warm-up"]
