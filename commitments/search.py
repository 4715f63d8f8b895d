"""Spanish full-text search that ignores accents, on PostgreSQL.

The configuration `spanish_unaccent` is Spanish stemming after the `unaccent` dictionary, created by
migration 0002 (PostgreSQL only), so "educacion" finds "Educación".
"""

CONFIG = "spanish_unaccent"

CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'spanish_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION spanish_unaccent (COPY = spanish);
            ALTER TEXT SEARCH CONFIGURATION spanish_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
        END IF;
    END $$""",
]


def unaccent_config() -> str:
    return CONFIG
