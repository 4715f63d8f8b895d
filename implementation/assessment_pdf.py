"""A final self-assessment as a tagged PDF (commitments.pdf.write_pdf: WeasyPrint, pdf.css, PDF/UA-1,
fetching nothing), from its frozen content only: the same report gives the same bytes, so the same
SHA-256 on every rendering. Spanish, the report's language."""

from __future__ import annotations

import hashlib

from django.template.loader import render_to_string
from django.utils import timezone, translation

from commitments import pdf

from .assessment_models import SelfAssessment
from .assessment_services import paragraphs

TEMPLATE = "implementation/pdf/self_assessment.html"


def identifier(assessment: SelfAssessment) -> bytes:
    """The PDF file identifier: the same for every rendering of one final report."""
    key = "|".join(["autoevaluacion", assessment.kind, assessment.sha256])
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


def context(assessment: SelfAssessment) -> dict:
    content = assessment.content
    finalized = timezone.localtime(assessment.finalized_at)
    return {
        "assessment": assessment,
        "content": content,
        "kind": assessment.get_kind_display(),
        "finalized": finalized,
        "metadata_date": pdf._w3c(assessment.finalized_at),
        "sections": [
            {
                "anchor": f"seccion-{section['key']}",
                "number": n,
                "title": section["title"],
                "paragraphs": paragraphs(section["text"]),
            }
            for n, section in enumerate(content["sections"], start=1)
        ],
    }


def render(assessment: SelfAssessment) -> bytes:
    """The PDF of a final report."""
    if not assessment.is_final:
        raise ValueError("only a final self-assessment is rendered")
    with translation.override(pdf.LANGUAGE):
        html = render_to_string(TEMPLATE, context(assessment))
    return pdf.write_pdf(html, identifier(assessment))
