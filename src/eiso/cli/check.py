"""``eiso check``: validate every document, and a merge request's change policy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK
from eiso.checks import check_repository
from eiso.documents.findings import FORMATS, Finding
from eiso.documents.loader import load_corpus
from eiso.documents.adoption import framework_context
from eiso.framework import framework_findings, framework_of
from eiso.documents.cache import DocumentCache
from eiso.project import documents_cache_path, procedures_dir, records_dir, repo_root
from eiso.records.checks import load_and_check


def check(args: argparse.Namespace) -> int:
    root, procedures = repo_root(args.config), procedures_dir(args.config)
    framework = framework_of(args.config)
    with framework_context(framework):  # adoptions are checked as their effective (merged) documents
        memo = DocumentCache(documents_cache_path(root))  # shared with the build: one parse, one check per edit
        # A command of its own, no other thread: a first check parses and checks on every core.
        corpus = load_corpus(root, procedures, memo, parallel=True)
        findings: list[Finding] = check_repository(corpus, memo, parallel=True) + framework_findings(corpus, framework)
        memo.save()
        findings = findings + load_and_check(root, records_dir(args.config), corpus.documents)[1]
        if args.against:
            from eiso.control.policy import check_policy

            findings = findings + check_policy(root, procedures, args.against)
    findings = sorted(findings)
    output = FORMATS[args.format](findings)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        if args.format != "text":
            sys.stdout.write(FORMATS["text"](findings))
    else:
        sys.stdout.write(output)
    return EXIT_FINDINGS if findings else EXIT_OK
