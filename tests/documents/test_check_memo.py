"""A document's own check findings are reused from the previous run only while nothing that
decides them changed; form files are looked for on disk every time."""

from __future__ import annotations

from pathlib import Path

from eiso.checks import check_repository
from eiso.documents import checks
from eiso.documents.cache import DocumentCache
from eiso.documents.loader import load_corpus
from factory import make_repo, tthc_meta, write_doc

KEY = b"m" * 32
OWN = checks._own_findings


def _run(root: Path, calls: list[str], monkeypatch) -> list[str]:
    def counting(doc, repo_root):
        calls.append(doc.path)
        return OWN(doc, repo_root)

    monkeypatch.setattr(checks, "_own_findings", counting)
    memo = DocumentCache(root / ".eiso-cache" / "documents.pickle", fingerprint="t", key=KEY)
    corpus = load_corpus(root, "procedures", memo)
    found = check_repository(corpus, memo)
    memo.save()
    return [str(f) for f in found]


def test_findings_are_reused_and_equal_to_a_fresh_check(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    # a warning from the body (facts once) and one from a line of the front matter
    write_doc(root, "tthc/ket-hon.md", tthc_meta("QT-HT-02", title="Đăng ký kết hôn"),
              "## Thời hạn giải quyết\n\nTrong 60 ngày.\n")
    calls: list[str] = []
    first = _run(root, calls, monkeypatch)
    assert len(calls) == 3 and first
    calls.clear()
    again = _run(root, calls, monkeypatch)
    assert calls == [] and again == first  # nothing rechecked, same findings
    third = _run(root, calls, monkeypatch)
    assert calls == [] and third == first  # the run that only reused still wrote a cache holding the checks
    fresh = [str(f) for f in check_repository(load_corpus(root, "procedures"))]
    assert again == fresh


def test_an_edit_rechecks_that_document_only_and_moves_its_lines(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    path = write_doc(root, "tthc/ket-hon.md", tthc_meta("QT-HT-02", title="Đăng ký kết hôn"),
                     "## Thời hạn giải quyết\n\nTrong 60 ngày.\n")
    calls: list[str] = []
    before = _run(root, calls, monkeypatch)
    calls.clear()
    # two blank lines at the top of the body: same text for the checks, other line numbers
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    path.write_text(head + "\n---\n\n\n" + body, encoding="utf-8")
    after = _run(root, calls, monkeypatch)
    assert calls == ["procedures/tthc/ket-hon.md"]
    moved = [f for f in after if f.startswith("procedures/tthc/ket-hon.md:") and f not in before]
    assert moved, after  # the body finding is reported at its new line, not the cached one


def test_a_missing_form_file_is_found_even_when_the_document_is_unchanged(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    calls: list[str] = []
    assert not any("BM-HT-01-01.docx" in f for f in _run(root, calls, monkeypatch))
    (root / "procedures" / "tthc" / "forms" / "BM-HT-01-01.docx").unlink()
    calls.clear()
    after = _run(root, calls, monkeypatch)
    assert calls == []  # the document's own rules were reused ...
    assert any("không tìm thấy tệp biểu mẫu «forms/BM-HT-01-01.docx»" in f for f in after), after  # ... the form looked for anew
