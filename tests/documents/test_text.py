from eiso.documents.text import fold, nfc, slugify


def test_slug_examples_from_design():
    assert slugify("QT-HT-01") == "qt-ht-01"
    assert slugify("QT 01/CX-HCTP") == "qt-01-cx-hctp"


def test_slug_folds_vietnamese_and_trims():
    assert slugify("  Đăng ký – Khai sinh!! ") == "dang-ky-khai-sinh"
    assert slugify("1.001193") == "1-001193"


def test_slug_is_the_same_for_nfd_and_nfc():
    decomposed = "QT-\u0110K-\u0301A"  # combining accent on its own
    assert slugify(decomposed) == slugify(nfc(decomposed))
    assert slugify("Hộ tịch") == slugify("Ho\u0323\u0302 ti\u0323ch")


def test_fold_removes_accents_and_d_bar():
    assert fold("Đăng ký KẾT HÔN") == "dang ky ket hon"
