"""Class names: stored as (grade, class_no); shown and typed as 三年级1班."""

from __future__ import annotations

from jiaoyuapp.codes import table
from jiaoyuapp.errors import UsageError
from jiaoyuapp.roster import cell_values as cv


def class_label(grade: int | None, class_no: str | None) -> str:
    g = table("grade").label(str(grade)) if grade is not None else ""
    if not class_no:
        return g
    return f"{g}{class_no}班" if class_no.isdigit() else f"{g}{class_no}"


def parse_class(text: str) -> tuple[int | None, str | None]:
    """三年级1班, 三年级(1)班, 3年级1班, 初一2班 → (grade, class_no); a bare 三年级 → (3, None)."""
    try:
        grade, cls = cv.grade_and_class(None, text, table("grade"))
    except cv.CellError as exc:
        raise UsageError(str(exc)) from None
    if grade is None:
        try:
            grade, _ = cv.grade_and_class(text, None, table("grade"))
            return grade, None
        except cv.CellError:
            raise UsageError(f"班级“{text}”看不懂，请写成“三年级1班”的样子") from None
    return grade, cls or None
