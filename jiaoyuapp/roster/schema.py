"""Roster tables. Migrations are frozen once released: change them only by adding new ones."""

ROSTER_TABLES = ("school", "households", "students", "guardians", "enrollment_events")

ROSTER_SQL_0001 = """
CREATE TABLE school (
    uuid TEXT PRIMARY KEY,
    code TEXT NOT NULL,            -- 学校标识码 (10 digits)
    name TEXT NOT NULL,
    township TEXT,
    county TEXT,
    school_type TEXT,              -- 小学 / 初中 / 九年一贯制 / 教学点 …
    top_grade INTEGER,             -- the grade that graduates at the September rollover
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE households (
    uuid TEXT PRIMARY KEY,
    address TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE students (
    uuid TEXT PRIMARY KEY,
    household_uuid TEXT REFERENCES households(uuid),
    name TEXT NOT NULL,
    sex TEXT,
    birth_date TEXT,
    birthplace TEXT,
    native_place TEXT,
    ethnicity TEXT,
    nationality TEXT,
    id_type TEXT,
    id_number TEXT,
    hk_mo_tw TEXT,
    health TEXT,
    name_pinyin TEXT,
    student_no TEXT,               -- 全国学籍号 (G/J/L + 18)
    aux_no TEXT,                   -- 学籍辅号
    seat_no TEXT,                  -- 班内学号
    grade INTEGER,
    class_no TEXT,
    enrolled_ym TEXT,
    entry_mode TEXT,
    boarding TEXT,
    source TEXT,
    current_address TEXT,
    mailing_address TEXT,
    home_address TEXT,
    phone TEXT,
    hukou_place TEXT,
    hukou_type TEXT,
    only_child INTEGER,
    left_behind TEXT,
    migrant_child INTEGER,
    orphan INTEGER,
    martyr_child INTEGER,
    inclusive_edu TEXT,
    disability_type TEXT,
    disability_grade TEXT,
    needs_aid INTEGER,
    gets_subsidy INTEGER,
    distance TEXT,
    transport TEXT,
    school_bus INTEGER,
    poverty_alleviated INTEGER,    -- 脱贫户
    monitoring_kind TEXT,          -- 防返贫监测对象: 1 脱贫不稳定户 2 边缘易致贫户 3 突发严重困难户
    dibao INTEGER,                 -- 低保
    tekun INTEGER,                 -- 特困供养
    unsupported INTEGER,           -- 事实无人抚养儿童
    single_parent INTEGER,
    status TEXT NOT NULL DEFAULT '在读',
    status_date TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX students_id_number ON students (id_number) WHERE id_number IS NOT NULL;
CREATE INDEX students_student_no ON students (student_no);
CREATE INDEX students_class ON students (grade, class_no);
CREATE INDEX students_household ON students (household_uuid);
CREATE TABLE guardians (
    uuid TEXT PRIMARY KEY,
    student_uuid TEXT NOT NULL REFERENCES students(uuid),
    position INTEGER NOT NULL,     -- 成员1 / 成员2
    name TEXT,
    relation TEXT,
    is_guardian INTEGER,
    id_number TEXT,
    phone TEXT,
    address TEXT,
    workplace TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (student_uuid, position)
);
CREATE TABLE enrollment_events (
    uuid TEXT PRIMARY KEY,
    student_uuid TEXT NOT NULL REFERENCES students(uuid),
    kind TEXT NOT NULL,            -- 转入 / 转出 / 休学 / 复学
    event_date TEXT NOT NULL,
    other_school TEXT,
    reason TEXT,
    grade INTEGER,
    class_no TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX enrollment_events_student ON enrollment_events (student_uuid);
"""

SEARCH_SQL_0002 = """
CREATE TABLE student_search (      -- derived; rebuilt from students at any time
    uuid TEXT PRIMARY KEY REFERENCES students(uuid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    pinyin TEXT NOT NULL,          -- full pinyin without spaces: zhangsan
    initials TEXT NOT NULL,        -- zs
    given_pinyin TEXT NOT NULL,    -- pinyin of the given name: san
    ids TEXT NOT NULL              -- ID number and 学籍号, space separated
);
"""

# Migration 0008: what the 学籍 system's export carries beyond the first schema, and the values an
# import could not match (kept, not refused, so the principal can check them in 待核对).
ROSTER_SQL_0008 = """
ALTER TABLE students ADD COLUMN personal_code TEXT;     -- 个人标识码
ALTER TABLE students ADD COLUMN hukou_region TEXT;      -- 户口所在地行政区划
ALTER TABLE students ADD COLUMN preschool INTEGER;      -- 是否受过学前教育
ALTER TABLE students ADD COLUMN disabled INTEGER;       -- 是否残疾, as school-made sheets say it
ALTER TABLE students ADD COLUMN unchecked TEXT;         -- JSON {field key: the cell's text as imported}
ALTER TABLE guardians ADD COLUMN relation_note TEXT;    -- 关系说明
ALTER TABLE guardians ADD COLUMN hukou_place TEXT;      -- 户口所在地
ALTER TABLE guardians ADD COLUMN id_type TEXT;          -- 身份证件类型 (code table id_type)
ALTER TABLE guardians ADD COLUMN ethnicity TEXT;        -- 民族 (code table ethnicity)
ALTER TABLE guardians ADD COLUMN job_title TEXT;        -- 职务
"""
