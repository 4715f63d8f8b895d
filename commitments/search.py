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


# Words of one search that are used: each word adds conditions to the query, and a thousand of them
# made SQLite refuse it ("Expression tree is too large"). The list says when words were left out.
MAX_WORDS = 10


def search_words(text: str) -> tuple[list[str], bool]:
    """The words of `text` that are searched (the first MAX_WORDS), and whether any were left out."""
    words = (text or "").split()
    return words[:MAX_WORDS], len(words) > MAX_WORDS
