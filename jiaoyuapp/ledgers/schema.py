"""Ledger tables (migration 0003). Released migrations are frozen: change only by adding new ones."""

LEDGER_TABLES = (
    "settings", "teachers", "class_heads", "terms", "calendar_days", "absences",
    "attachments", "visits", "visit_teachers", "visit_students", "visit_attachments",
    "cases", "case_people", "case_events", "attempts", "home_teaching",
    "aid_programs", "aid_records",
    "attempt_people", "attempt_attachments",
    "disability_proofs", "home_teaching_teachers", "home_teaching_attachments", "case_closing_attachments",
    "case_reviews",
    "case_reports",
)

LEDGER_SQL_0003 = """
CREATE TABLE settings (
    uuid TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    value TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE teachers (
    uuid TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT,                     -- 校长 / 副校长 / 班主任 / 任课教师 / 其他
    phone TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE class_heads (         -- 班主任 of a class (a teacher may head several)
    uuid TEXT PRIMARY KEY,
    teacher_uuid TEXT NOT NULL REFERENCES teachers(uuid),
    grade INTEGER NOT NULL,
    class_no TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX class_heads_class ON class_heads (grade, class_no);
CREATE TABLE terms (
    uuid TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE calendar_days (       -- exceptions to "weekdays in a term are school days"
    uuid TEXT PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE absences (
    uuid TEXT PRIMARY KEY,
    student_uuid TEXT NOT NULL REFERENCES students(uuid),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,            -- 病假 / 事假 / 无故 / 其他
    note TEXT,
    recorded_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (student_uuid, day)
);
CREATE INDEX absences_day ON absences (day);
CREATE TABLE attachments (         -- metadata; the bytes live in attachment_blobs under their SHA-256
    uuid TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    print_sha256 TEXT,             -- the downscaled copy for printing
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE blobs (               -- content-addressed bytes, immutable; the attachments rows that name them are logged
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE visits (              -- append-only: a correction is a new version, the old one stays
    uuid TEXT PRIMARY KEY,
    visit_key TEXT NOT NULL,       -- the same for every version of one visit
    version INTEGER NOT NULL,
    supersedes TEXT REFERENCES visits(uuid),
    household_uuid TEXT REFERENCES households(uuid),
    day TEXT NOT NULL,
    mode TEXT NOT NULL,
    location TEXT,
    participants TEXT,
    met_name TEXT,
    met_relation TEXT,
    home_situation TEXT,
    school_behaviour TEXT,
    home_behaviour TEXT,
    policies TEXT,
    parent_opinion TEXT,
    problems TEXT,
    measures TEXT,
    followup_plan TEXT,
    followup_date TEXT,
    note TEXT,
    recorded_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (visit_key, version)
);
CREATE INDEX visits_day ON visits (day);
CREATE INDEX visits_supersedes ON visits (supersedes);
CREATE INDEX visits_household ON visits (household_uuid);
CREATE VIEW current_visits AS      -- the latest version of each visit
    SELECT * FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visits w WHERE w.supersedes = v.uuid);
CREATE TABLE visit_teachers (
    uuid TEXT PRIMARY KEY,
    visit_uuid TEXT NOT NULL REFERENCES visits(uuid),
    teacher_uuid TEXT NOT NULL REFERENCES teachers(uuid),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visit_teachers_visit ON visit_teachers (visit_uuid);
CREATE INDEX visit_teachers_teacher ON visit_teachers (teacher_uuid);
CREATE TABLE visit_students (      -- every student of the household at the school on that day
    uuid TEXT PRIMARY KEY,
    visit_uuid TEXT NOT NULL REFERENCES visits(uuid),
    student_uuid TEXT NOT NULL REFERENCES students(uuid),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visit_students_visit ON visit_students (visit_uuid);
CREATE INDEX visit_students_student ON visit_students (student_uuid);
CREATE TABLE visit_attachments (
    uuid TEXT PRIMARY KEY,
    visit_uuid TEXT NOT NULL REFERENCES visits(uuid),
    attachment_uuid TEXT NOT NULL REFERENCES attachments(uuid),
    role TEXT NOT NULL CHECK (role IN ('photo', 'signature')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visit_attachments_visit ON visit_attachments (visit_uuid);
CREATE TABLE cases (               -- one dropout-control case per episode (控辍保学台账)
    uuid TEXT PRIMARY KEY,
    student_uuid TEXT NOT NULL REFERENCES students(uuid),
    status TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    source TEXT NOT NULL,          -- 缺课自动 / 手工登记
    absence_start TEXT,            -- first day of the absence run that opened it
    reason TEXT,                   -- code of dropout_reason
    reason_text TEXT,
    finding TEXT,
    placement TEXT,
    whereabouts TEXT,              -- 去向
    plan TEXT,                     -- 一人一案
    next_date TEXT,                -- next 劝返 attempt due
    returned_on TEXT,
    closed_on TEXT,
    outcome TEXT,
    confirmed_by TEXT,
    evidence TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_student ON cases (student_uuid);
CREATE INDEX cases_status ON cases (status);
CREATE TABLE case_people (         -- 双线控辍: responsible people on both lines, and the parents
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    line TEXT NOT NULL,            -- 教育线 / 政府线 / 家长
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    teacher_uuid TEXT REFERENCES teachers(uuid),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX case_people_case ON case_people (case_uuid);
CREATE TABLE case_events (         -- the case's history: every transition, reopening and plan change
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    kind TEXT NOT NULL,            -- 登记 / 状态变更 / 重新打开
    from_status TEXT,
    to_status TEXT,
    on_date TEXT NOT NULL,
    by_name TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_uuid);
CREATE TABLE attempts (            -- every 劝返 attempt
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    on_date TEXT NOT NULL,
    people TEXT NOT NULL,
    method TEXT NOT NULL,
    action TEXT,
    result TEXT,
    next_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX attempts_case ON attempts (case_uuid);
CREATE TABLE home_teaching (       -- 送教上门 sessions
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    on_date TEXT NOT NULL,
    teacher_uuid TEXT REFERENCES teachers(uuid),
    teacher_name TEXT NOT NULL,
    content TEXT NOT NULL,
    hours REAL NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX home_teaching_case ON home_teaching (case_uuid);
CREATE TABLE aid_programs (
    uuid TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT,                    -- 小学 / 初中 / 高中 / NULL for all
    boarding_only INTEGER NOT NULL DEFAULT 0,
    amount_per_term REAL,          -- fixed amount per term, or
    amount_per_day REAL,           -- an amount per school day (营养改善计划)
    active INTEGER NOT NULL DEFAULT 1,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE aid_records (
    uuid TEXT PRIMARY KEY,
    student_uuid TEXT NOT NULL REFERENCES students(uuid),
    program_uuid TEXT NOT NULL REFERENCES aid_programs(uuid),
    term_uuid TEXT NOT NULL REFERENCES terms(uuid),
    amount REAL NOT NULL,
    paid_on TEXT NOT NULL,
    method TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX aid_records_student ON aid_records (student_uuid);
CREATE INDEX aid_records_term ON aid_records (term_uuid);
"""

# 0010_case_escalation: an attempt's escalation step and its people by name and role (the old
# free-text attempts.people stays, filled with the same names, so old readers keep working), the
# evidence images of an attempt, and the trigger of an auto-opened case kept apart from its reason.
LEDGER_SQL_0010 = """
ALTER TABLE attempts ADD COLUMN step TEXT;          -- code of escalation_step; NULL on old rows (read from method)
ALTER TABLE cases ADD COLUMN trigger_text TEXT;     -- why the case was opened (e.g. the absence run), not a reason
CREATE TABLE attempt_people (
    uuid TEXT PRIMARY KEY,
    attempt_uuid TEXT NOT NULL REFERENCES attempts(uuid),
    line TEXT NOT NULL,            -- 教育线 / 政府线 / 家长 / 其他
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX attempt_people_attempt ON attempt_people (attempt_uuid);
CREATE TABLE attempt_attachments (  -- photos and scans (承诺书, 限期返校通知书, 书面报告) proving an attempt
    uuid TEXT PRIMARY KEY,
    attempt_uuid TEXT NOT NULL REFERENCES attempts(uuid),
    attachment_uuid TEXT NOT NULL REFERENCES attachments(uuid),
    kind TEXT NOT NULL,            -- code of attempt_evidence
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX attempt_attachments_attempt ON attempt_attachments (attempt_uuid);
"""


# Migration 0011 (issue 12): what 随班就读 and 送教上门 rest on (a disability recorded with its 残疾证 or
# an assessment), the teachers and evidence of each 送教 session, the 就读证明 behind a 销号, and the
# county's quarterly 复核 of each case.
LEDGER_SQL_0011 = """
CREATE TABLE disability_proofs (   -- a student's 残疾证号 and/or assessment; the type stays on students
    uuid TEXT PRIMARY KEY,
    student_uuid TEXT NOT NULL UNIQUE REFERENCES students(uuid),
    cert_no TEXT,                  -- 残疾证号 (from the 残联)
    assessed_on TEXT,              -- date of the assessment, if there is no certificate (yet)
    assessed_by TEXT,              -- who assessed: 县残疾儿童少年入学评估委员会, a hospital …
    assessment TEXT,               -- the assessment's conclusion
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE home_teaching_teachers (  -- every teacher of one 送教上门 session, by name
    uuid TEXT PRIMARY KEY,
    session_uuid TEXT NOT NULL REFERENCES home_teaching(uuid),
    teacher_uuid TEXT REFERENCES teachers(uuid),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX home_teaching_teachers_session ON home_teaching_teachers (session_uuid);
CREATE TABLE home_teaching_attachments (  -- photos of a session (teaching at the child's home, work done)
    uuid TEXT PRIMARY KEY,
    session_uuid TEXT NOT NULL REFERENCES home_teaching(uuid),
    attachment_uuid TEXT NOT NULL REFERENCES attachments(uuid),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX home_teaching_attachments_session ON home_teaching_attachments (session_uuid);
CREATE TABLE case_closing_attachments (   -- images behind a 销号: the other school's 就读证明
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    attachment_uuid TEXT NOT NULL REFERENCES attachments(uuid),
    role TEXT NOT NULL,            -- 就读证明
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX case_closing_attachments_case ON case_closing_attachments (case_uuid);
CREATE TABLE case_reviews (        -- the county's quarterly 复核 of a case
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    on_date TEXT NOT NULL,
    reviewer TEXT NOT NULL,        -- who re-checked (name and office)
    result TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX case_reviews_case ON case_reviews (case_uuid);
"""


LEDGER_SQL_0013 = """
CREATE TABLE case_reports (        -- 辍学学生情况报告表: when the principal signed it, when it went to the 乡镇 and the 县
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL UNIQUE REFERENCES cases(uuid),
    signed_by TEXT,
    signed_on TEXT,
    township_on TEXT,
    county_on TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


# Migration 0009: 资助 by program. Who a program is for (the non-boarder groups of 两免一补 at a share
# of the boarder rate, whether it is means-tested, in kind, only at 试点 schools) and what the 资助台账
# records of each payment (the 认定 and 公示, the hardship level, who signed for it). A migration changes
# no school data (the log must replay to the tables): programs that existed before it have NULL rules
# until aid.complete_program_rules, run at the first open after the upgrade, gives them their rules
# through the write path (a program of the school's own stays means-tested, as it counted before).
LEDGER_SQL_0009 = """
ALTER TABLE aid_programs ADD COLUMN day_groups TEXT;         -- non-boarders who qualify: aid_target codes, '|'
ALTER TABLE aid_programs ADD COLUMN day_rate REAL;           -- their share of the boarder amount (0.5)
ALTER TABLE aid_programs ADD COLUMN means_tested INTEGER;    -- counts in 应助未助
ALTER TABLE aid_programs ADD COLUMN in_kind INTEGER;         -- meals etc., never cash
ALTER TABLE aid_programs ADD COLUMN pilot_only INTEGER;      -- only at 试点 schools
ALTER TABLE aid_records ADD COLUMN target TEXT;              -- 资助对象类型 (认定): aid_target code
ALTER TABLE aid_records ADD COLUMN hardship TEXT;            -- 困难等级: hardship_level code
ALTER TABLE aid_records ADD COLUMN recognized_on TEXT;       -- 认定日期
ALTER TABLE aid_records ADD COLUMN published_on TEXT;        -- 公示日期
ALTER TABLE aid_records ADD COLUMN receiver TEXT;            -- 领取人 (who signed for it)
"""
