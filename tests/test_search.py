"""Finding a student the way a teacher types: zs, 小明, a piece of an ID number."""

from jiaoyuapp.roster.search import find_students
from jiaoyuapp.roster.students import add_student
from tests.workbooks import make_id

PEOPLE = [
    ("张三", "20180305", "三年级1班", {}),
    ("王小明", "20180402", "三年级1班", {"是否留守儿童": "双亲外出"}),
    ("单雄", "20180503", "三年级2班", {}),
    ("曾国强", "20190604", "二年级1班", {"是否低保": "是"}),
    ("解放", "20190705", "二年级1班", {}),
    ("仇英", "20190806", "二年级1班", {}),
    ("欧阳修", "20180907", "三年级2班", {}),
    ("张思", "20181008", "三年级2班", {"是否脱贫户": "是"}),
]


def seed(store):
    ids = {}
    for n, (name, born, cls, extra) in enumerate(PEOPLE):
        ids[name] = make_id(born, 2 * n + 1)
        add_student(store, {"姓名": name, "身份证件号": ids[name], "班级": cls, **extra})
    return ids


def names(rows):
    return sorted(r["name"] for r in rows)


def test_pinyin_initials_and_full(store):
    """zs finds 张三 (and 张思); full pinyin and given-name pinyin work too."""
    seed(store)
    assert names(find_students(store, "zs")) == ["张三", "张思"]
    assert names(find_students(store, "zhangsan")) == ["张三"]
    assert names(find_students(store, "ZS")) == ["张三", "张思"]
    assert names(find_students(store, "xiaoming")) == ["王小明"]


def test_polyphonic_surnames_read_as_surnames(store):
    """单 is shan, 曾 zeng, 解 xie, 仇 qiu when they are surnames."""
    seed(store)
    assert names(find_students(store, "sx")) == ["单雄"]
    assert names(find_students(store, "shanxiong")) == ["单雄"]
    assert names(find_students(store, "zgq")) == ["曾国强"]
    assert names(find_students(store, "xief")) == ["解放"]
    assert names(find_students(store, "qiuy")) == ["仇英"]
    assert names(find_students(store, "oyx")) == ["欧阳修"]


def test_name_fragments(store):
    """A two-character given name finds the three-character name; one character finds all who have it."""
    seed(store)
    assert names(find_students(store, "小明")) == ["王小明"]
    assert names(find_students(store, "张")) == ["张三", "张思"]
    assert names(find_students(store, "国")) == ["曾国强"]


def test_id_and_student_number_fragments(store):
    """Any run of digits inside an ID number or 学籍号 finds the student."""
    ids = seed(store)
    target = ids["仇英"]
    assert names(find_students(store, target[8:14])) == ["仇英"]
    assert names(find_students(store, target)) == ["仇英"]
    assert find_students(store, "99999999") == []


def test_filters_by_class_and_flag(store):
    """Filters narrow by class and by household flag, alone or with a query."""
    seed(store)
    assert names(find_students(store, class_name="三年级2班")) == ["单雄", "张思", "欧阳修"]
    assert names(find_students(store, class_name="二年级")) == ["仇英", "曾国强", "解放"]
    assert names(find_students(store, flags=["留守"])) == ["王小明"]
    assert names(find_students(store, flags=["低保"], class_name="二年级1班")) == ["曾国强"]
    assert names(find_students(store, "zs", flags=["脱贫户"])) == ["张思"]
    assert len(find_students(store)) == len(PEOPLE)


def test_search_follows_edits(store):
    """After a rename the new name is found and the old one is not."""
    from jiaoyuapp.roster.students import update_student
    seed(store)
    uid = find_students(store, "张三")[0]["uuid"]
    update_student(store, uid, {"姓名": "李三"})
    assert names(find_students(store, "ls")) == ["李三"]
    assert names(find_students(store, "张三")) == []
