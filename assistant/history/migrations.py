"""The history database's schema, one migration per version (PRAGMA user_version counts them).

Never edit a migration that has shipped: add the next one.
"""

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions, their sets and every rep as it happens
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,          -- ISO 8601 local time with its UTC offset
            routine TEXT NOT NULL,
            variation TEXT NOT NULL,           -- at the start
            lower_s REAL NOT NULL,             -- the counted descent, seconds
            tempo TEXT NOT NULL,               -- brace/lift/top/lower/bottom seconds, JSON
            simulated INTEGER NOT NULL DEFAULT 0,
            ended_at TEXT,                     -- NULL: the session never finished (crash, power cut)
            final_variation TEXT,
            reason TEXT,                       -- completed, stopped, pain, input-ended
            duration_s REAL
        )""",
        """CREATE TABLE sets (
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            number INTEGER NOT NULL,
            target INTEGER NOT NULL,
            variation TEXT NOT NULL,
            ended_early INTEGER,               -- NULL until the set ends
            PRIMARY KEY (session_id, number)
        )""",
        """CREATE TABLE reps (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            set_number INTEGER NOT NULL,       -- 0: the gentle first rep
            rep INTEGER NOT NULL,              -- the attempt within the set
            variation TEXT NOT NULL,
            side TEXT,
            counted INTEGER NOT NULL,          -- 1 perfect, 0 arched
            phase TEXT,                        -- where an arch was reported
            descent_s REAL,                    -- seconds into the descent when it arched
            lower_s REAL NOT NULL,
            at_s REAL NOT NULL                 -- session seconds
        )""",
    ),
    # 2: history over years of sessions stays fast
    (
        "CREATE INDEX reps_by_session ON reps(session_id, set_number)",
        "CREATE INDEX sessions_by_start ON sessions(started_at)",
    ),
    # 3: the ladder's weighted rungs (a light weight between the feet)
    (
        "ALTER TABLE sets ADD COLUMN weighted INTEGER NOT NULL DEFAULT 0",
    ),
)

LATEST = len(MIGRATIONS)
