"""A first load and check share the documents with a forked copy: same documents, same findings, same
cache as one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eiso.checks import check_repository
from eiso.documents import checks, loader
from eiso.documents.cache import DocumentCache
from eiso.documents.loader import load_corpus
from eiso.forked import ENV_VAR
from factory import make_repo, tthc_meta, write_doc

KEY = b"p" * 32


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    for n in range(2, 9):
        write_doc(root, f"tthc/qt-{n}.md", tthc_meta(f"QT-HT-{n:02d}", title=f"Thủ tục số {n}"),
                  "## Thời hạn giải quyết\n\nTrong 60 ngày.\n" if n % 3 == 0 else "## Nội dung\n\nVăn bản.\n")
    (root / "procedures" / "tthc" / "hong.md").write_text("---\ncode: [\n---\n", encoding="utf-8")  # a load error
    write_doc(root, "tthc/trung-ma.md", tthc_meta("QT-HT-02", title="Trùng mã"))  # a cross-document finding
    return root


def _signature(root: Path, parallel: bool, memo: DocumentCache | None = None):
    corpus = load_corpus(root, "procedures", memo, parallel=parallel)
    findings = check_repository(corpus, memo, parallel=parallel)
    return ([doc.fingerprint() for doc in corpus.documents], corpus.rejected, [str(f) for f in findings])


def _recording(monkeypatch, module, name: str, log: Path) -> None:
    original = getattr(module, name)

    def recorded(*args, **kwargs):
        with log.open("a") as out:  # a file: the forked copy's calls are seen here too
            out.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)


def test_two_processes_give_what_one_gives(repo, tmp_path, monkeypatch):
    plain = _signature(repo, parallel=False)
    files = list((repo / "procedures").rglob("*.md"))
    assert len(plain[0]) == len(files) - 1 >= 9 and plain[1] == ["procedures/tthc/hong.md"]
    assert any("QT-HT-02" in f for f in plain[2]) and any("hong.md" in f for f in plain[2])
    monkeypatch.setenv(ENV_VAR, "on")  # fork whatever the number of files
    parses, checked = tmp_path / "parses.log", tmp_path / "checks.log"
    _recording(monkeypatch, loader, "parse_document", parses)
    _recording(monkeypatch, checks, "_own_findings", checked)
    assert _signature(repo, parallel=True) == plain
    for log in (parses, checked):
        pids = log.read_text().split()
        assert len(set(pids)) == 2 and str(os.getpid()) in pids  # really worked in two processes


def test_the_cache_a_forked_first_run_writes_serves_the_next_run(repo, tmp_path, monkeypatch):
    plain = _signature(repo, parallel=False)
    monkeypatch.setenv(ENV_VAR, "on")
    cache = tmp_path / "cache" / "documents.pickle"
    memo = DocumentCache(cache, fingerprint="t", key=KEY)
    assert _signature(repo, True, memo) == plain
    memo.save()
    parses, checked = tmp_path / "parses.log", tmp_path / "checks.log"
    _recording(monkeypatch, loader, "parse_document", parses)
    _recording(monkeypatch, checks, "_own_findings", checked)
    again = DocumentCache(cache, fingerprint="t", key=KEY)
    assert _signature(repo, True, again) == plain
    assert not parses.exists() and not checked.exists()  # every result came from the cache
