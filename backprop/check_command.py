"""``backprop check [FILE ...]``: audit documents' printed numbers against the engine."""

from __future__ import annotations

import argparse
import sys

from backprop import sources
from backprop.audit import DISAGREE, audit_document, format_audit
from backprop.claims import bundled, bundled_document
from backprop.command import EXIT_DISAGREE, EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The claim files or bundled documents to audit."""
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="claim files or bundled document names (default: all bundled)"
    )


def run(args: argparse.Namespace) -> int:
    """Print each document's audit, then a summary line each; status 1 if any number disagrees."""
    files = args.files
    # read and check every file before printing anything
    documents = [sources.document(f) for f in files] if files else [bundled_document(n) for n in bundled()]
    audits = [audit_document(d) for d in documents]
    for audit in audits:
        sys.stdout.write(format_audit(audit) + "\n")
    print("Summary")
    for audit in audits:
        print("  " + audit.summary())
    return EXIT_DISAGREE if any(a.count(DISAGREE) for a in audits) else EXIT_OK
