"""The framework model ("mô hình khung"): the province's shared documents that agencies adopt."""

from __future__ import annotations

from pathlib import Path

from eiso.documents.findings import Finding
from eiso.documents.loader import Corpus
from eiso.framework.gone import gone_findings
from eiso.framework.lag import adoption_lags, lag_findings
from eiso.framework.source import GitFramework, open_framework
from eiso.project import plugin_options

__all__ = ["GitFramework", "adoption_lags", "framework_findings", "framework_of", "lag_findings", "open_framework"]


def framework_of(config_file: str | Path) -> GitFramework | None:
    """The framework named by ``framework:`` in the agency's mkdocs.yml (None when it has none)."""
    config = Path(config_file)
    return open_framework(config.resolve().parent, plugin_options(config).get("framework"))


def framework_findings(corpus: Corpus, framework: GitFramework | None) -> list[Finding]:
    """What ``eiso check`` adds for the framework: adoptions behind it, or whose framework document is withdrawn
    or unreadable (unknown codes fail at load)."""
    return lag_findings(corpus.documents, framework) + gone_findings(corpus.documents, framework)
