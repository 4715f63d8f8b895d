# A final self-assessment never changes (implementation/assessment_models.py): database triggers refuse
# any update of a final report, any update of a section of one or any section added to it, any update of
# a section's version (versions are never edited: an edit is a new version) and any version added to a
# section of a final report. Like commitments' migrations 0003 and 0005 for the plan's versions.

from django.db import migrations

MESSAGE = "implementation: a final self-assessment cannot change"
VERSION_MESSAGE = "implementation: a section version is never changed"
FINAL_OF_SECTION = (
    "(SELECT state FROM implementation_selfassessment WHERE id = {ref}.assessment_id) = 'final'"
)
FINAL_OF_VERSION = (
    "(SELECT a.state FROM implementation_selfassessment a JOIN implementation_section s "
    "ON s.assessment_id = a.id WHERE s.id = NEW.section_id) = 'final'"
)

SQLITE = [
    f"""CREATE TRIGGER implementation_selfassessment_final BEFORE UPDATE ON implementation_selfassessment
    WHEN OLD.state = 'final' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER implementation_section_final_update BEFORE UPDATE ON implementation_section
    WHEN {FINAL_OF_SECTION.format(ref="OLD")} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER implementation_section_final_insert BEFORE INSERT ON implementation_section
    WHEN {FINAL_OF_SECTION.format(ref="NEW")} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER implementation_sectionversion_update BEFORE UPDATE ON implementation_sectionversion
    BEGIN SELECT RAISE(ABORT, '{VERSION_MESSAGE}'); END""",
    f"""CREATE TRIGGER implementation_sectionversion_final BEFORE INSERT ON implementation_sectionversion
    WHEN {FINAL_OF_VERSION} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS implementation_selfassessment_final",
    "DROP TRIGGER IF EXISTS implementation_section_final_update",
    "DROP TRIGGER IF EXISTS implementation_section_final_insert",
    "DROP TRIGGER IF EXISTS implementation_sectionversion_update",
    "DROP TRIGGER IF EXISTS implementation_sectionversion_final",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION implementation_selfassessment_final() RETURNS trigger AS $$
    BEGIN
      IF OLD.state = 'final' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER implementation_selfassessment_final BEFORE UPDATE ON implementation_selfassessment
    FOR EACH ROW EXECUTE FUNCTION implementation_selfassessment_final()""",
    f"""CREATE OR REPLACE FUNCTION implementation_section_final() RETURNS trigger AS $$
    BEGIN
      IF (TG_OP = 'UPDATE' AND {FINAL_OF_SECTION.format(ref="OLD")})
         OR {FINAL_OF_SECTION.format(ref="NEW")} THEN
        RAISE EXCEPTION '{MESSAGE}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER implementation_section_final BEFORE INSERT OR UPDATE ON implementation_section
    FOR EACH ROW EXECUTE FUNCTION implementation_section_final()""",
    f"""CREATE OR REPLACE FUNCTION implementation_sectionversion_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION '{VERSION_MESSAGE}'; END IF;
      IF {FINAL_OF_VERSION} THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER implementation_sectionversion_guard BEFORE INSERT OR UPDATE
    ON implementation_sectionversion FOR EACH ROW EXECUTE FUNCTION implementation_sectionversion_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS implementation_selfassessment_final ON implementation_selfassessment",
    "DROP FUNCTION IF EXISTS implementation_selfassessment_final()",
    "DROP TRIGGER IF EXISTS implementation_section_final ON implementation_section",
    "DROP FUNCTION IF EXISTS implementation_section_final()",
    "DROP TRIGGER IF EXISTS implementation_sectionversion_guard ON implementation_sectionversion",
    "DROP FUNCTION IF EXISTS implementation_sectionversion_guard()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("implementation", "0002_self_assessment")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
