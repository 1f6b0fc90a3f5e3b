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


def photo(seed: int, size=(640, 480), fmt="JPEG") -> bytes:
    """A synthetic picture (coloured shapes, no people)."""
    import io
    import random

    from PIL import Image, ImageDraw
    rng = random.Random(seed)
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle([x, y, x + rng.randrange(40, 200), y + rng.randrange(40, 200)],
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def signature(seed: int = 1) -> bytes:
    """A synthetic signature: a scribbled line on a transparent background."""
    import io
    import random

    from PIL import Image, ImageDraw
    rng = random.Random(seed)
    img = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    points = [(20 + i * 18, 75 + rng.randint(-40, 40)) for i in range(20)]
    draw.line(points, fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def escalation_ready(store, case, on="2026-10-08"):
    """What a case needs before it leaves 疑似辍学 (issue 12): a 村 cadre on the government line and
    the family contacted once (a recorded 劝返 attempt)."""
    from jiaoyuapp.ledgers import cases
    cases.add_person(store, case, role="村委会", name="赵主任", phone="13700000001")
    cases.add_attempt(store, case, on=on, people=[("班主任", "王老师")], method="电话", step="联系家长",
                      result="家长说孩子不愿上学")
    return case
