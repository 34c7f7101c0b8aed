from conftest import run_eiso

from eiso.documents.loader import load_corpus


def test_new_scaffolds_a_valid_draft_with_the_next_code(repo):
    # The base repository already uses QT-HT-01, so the next system code is QT-HT-02.
    result = run_eiso("new", "--kind", "system", "--unit", "Văn phòng - Thống kê", "Đánh giá nội bộ", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "QT-HT-02" in result.stdout
    result = run_eiso("new", "--kind", "system", "--unit", "Văn phòng - Thống kê", "Xem xét của lãnh đạo", cwd=repo)
    assert "QT-HT-03" in result.stdout
    assert run_eiso("check", cwd=repo).returncode == 0  # the scaffolds are valid drafts
    corpus = load_corpus(repo)
    created = {d.meta.code: d for d in corpus.documents}
    assert created["QT-HT-03"].meta.title == "Xem xét của lãnh đạo"
    assert created["QT-HT-03"].meta.status.value == "draft" and created["QT-HT-03"].meta.revision == 1


def test_new_rejects_an_unknown_kind(repo):
    result = run_eiso("new", "--kind", "quy-trinh", "--unit", "VP", "X", cwd=repo)
    assert result.returncode == 2 and "không hợp lệ" in result.stderr
