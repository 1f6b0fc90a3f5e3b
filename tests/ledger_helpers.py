"""Shared set-up for the ledger tests: a small synthetic school with a calendar and teachers."""

import datetime as dt

from jiaoyuapp.ledgers import school_calendar
from jiaoyuapp.ledgers.teachers import add_teacher
from jiaoyuapp.roster.students import add_student
from tests.workbooks import make_id

TODAY = dt.date(2026, 11, 22)   # a Sunday in the autumn term of 2026


def school_with_calendar(store):
    school_calendar.set_up_school_year(store, 2026)
    return {
        "principal": add_teacher(store, "周校长", "校长", "13800000000"),
        "head3": add_teacher(store, "王老师", "班主任", "13800000003", classes=["三年级1班"]),
        "head2": add_teacher(store, "李老师", "班主任", "13800000002", classes=["二年级1班"]),
    }


def student(store, name, seq, cls="三年级1班", born="20180305", **extra):
    uid, _ = add_student(store, {"姓名": name, "身份证件号": make_id(born, seq), "班级": cls, **extra})
    return uid
