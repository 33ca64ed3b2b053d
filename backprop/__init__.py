"""Auditing hand-derived backpropagation: documents' printed numbers checked against the engine."""

from backprop.audit import (
    AGREE,
    CARRIED,
    DISAGREE,
    OWN,
    ROUNDING,
    AuditRow,
    DocumentAudit,
    format_audit,
)
from backprop.audit import audit_document as _audit
from backprop.claims import Claim, Document, DocumentError, bundled, bundled_document, load_document
from backprop.explanation import ChainPath, Explanation, Factor, assert_gradient, explain, explainer
from backprop.expressions import ExpressionExample, load_expressions
from backprop.page_command import page
from backprop.walkthrough import walkthrough


def audit_document(document: str | Document) -> DocumentAudit:
    """Every printed number of a bundled document (by name), a claim file (by path) or a read Document, checked."""
    if isinstance(document, str):
        document = bundled_document(document) if document in bundled() else load_document(document)
    return _audit(document)


def audit_rows(document: str | Document) -> list[AuditRow]:
    """The audit rows of a bundled document (by name), a claim file (by path) or a read Document."""
    return list(audit_document(document).rows)


__all__ = [
    "AGREE",
    "CARRIED",
    "DISAGREE",
    "OWN",
    "ROUNDING",
    "AuditRow",
    "ChainPath",
    "Claim",
    "Document",
    "DocumentAudit",
    "DocumentError",
    "Explanation",
    "ExpressionExample",
    "Factor",
    "assert_gradient",
    "audit_document",
    "audit_rows",
    "bundled",
    "bundled_document",
    "explain",
    "explainer",
    "format_audit",
    "load_document",
    "load_expressions",
    "page",
    "walkthrough",
]
