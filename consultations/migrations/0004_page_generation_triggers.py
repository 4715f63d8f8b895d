# ruff: noqa: E501 - the triggers' SQL expressions, copied from consultations/models.py
"""The page cache's generation triggers on this app's content tables (paga/pagecache.py), with a copy of
what the models declare (content_generations, content_columns, content_when): installed once, here."""

from django.db import migrations

from paga.pagecache import ContentTriggers


class Migration(migrations.Migration):
    dependencies = [
        ("paga", "0007_page_generations"),
        ("consultations", "0003_created_on_the_portal_clock"),
    ]

    operations = [
        ContentTriggers("consultations_consultation_items"),
        ContentTriggers("consultations_consultation"),
        ContentTriggers("consultations_paragraph"),
        ContentTriggers(
            "consultations_contribution",
            keys=(
                ("thread:commitment:", "{row}.commitment_id"),
                ("thread:paragraph:", "{row}.paragraph_id"),
                ("consultation:", "{row}.consultation_id"),
                (
                    "forum:",
                    "(SELECT plan_id FROM consultations_consultation WHERE id = {row}.consultation_id)",
                ),
            ),
        ),
        ContentTriggers(
            "consultations_contributionversion",
            keys=(
                (
                    "thread:commitment:",
                    "(SELECT commitment_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "thread:paragraph:",
                    "(SELECT paragraph_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "consultation:",
                    "(SELECT consultation_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "forum:",
                    "(SELECT c.plan_id FROM consultations_consultation c JOIN consultations_contribution x ON x.consultation_id = c.id WHERE x.id = {row}.contribution_id)",
                ),
            ),
        ),
        ContentTriggers(
            "consultations_support",
            keys=(
                (
                    "thread:commitment:",
                    "COALESCE({row}.commitment_id, (SELECT commitment_id FROM consultations_contribution WHERE id = {row}.contribution_id))",
                ),
                (
                    "thread:paragraph:",
                    "(SELECT paragraph_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "consultation:",
                    "(SELECT consultation_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "forum:",
                    "COALESCE((SELECT plan_id FROM commitments_commitment WHERE id = {row}.commitment_id), (SELECT c.plan_id FROM consultations_consultation c JOIN consultations_contribution x ON x.consultation_id = c.id WHERE x.id = {row}.contribution_id))",
                ),
            ),
        ),
        ContentTriggers(
            "consultations_moderationaction",
            keys=(
                (
                    "thread:commitment:",
                    "(SELECT commitment_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "thread:paragraph:",
                    "(SELECT paragraph_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "consultation:",
                    "(SELECT consultation_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "forum:",
                    "(SELECT c.plan_id FROM consultations_consultation c JOIN consultations_contribution x ON x.consultation_id = c.id WHERE x.id = {row}.contribution_id)",
                ),
            ),
        ),
        ContentTriggers("consultations_responsetemplate"),
        ContentTriggers(
            "consultations_response",
            keys=(
                (
                    "thread:commitment:",
                    "(SELECT commitment_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "thread:paragraph:",
                    "(SELECT paragraph_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "consultation:",
                    "(SELECT consultation_id FROM consultations_contribution WHERE id = {row}.contribution_id)",
                ),
                (
                    "forum:",
                    "(SELECT c.plan_id FROM consultations_consultation c JOIN consultations_contribution x ON x.consultation_id = c.id WHERE x.id = {row}.contribution_id)",
                ),
            ),
        ),
    ]
