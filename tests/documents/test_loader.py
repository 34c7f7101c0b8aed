"""Model and loader: what a valid file becomes, and how text is normalised."""

import datetime as dt
import unicodedata

from factory import document_text, tthc_meta, write_doc

from eiso.documents.loader import load_corpus
from eiso.documents.model import Kind, Status, TimeUnit


def test_valid_document_is_typed(tmp_path):
    write_doc(tmp_path, "a/khai-sinh.md", tthc_meta())
    corpus = load_corpus(tmp_path)
    assert corpus.findings == []
    (doc,) = corpus.documents
    assert doc.path == "procedures/a/khai-sinh.md"
    assert doc.meta.kind is Kind.tthc and doc.meta.status is Status.effective
    assert doc.meta.effective == dt.date(2025, 3, 1)  # a YYYY-MM-DD string is a date
    assert doc.meta.tthc.channels[0].time.unit is TimeUnit.working_days
    assert doc.meta.tthc.dossier[0].form == "BM-HT-01-01"
    assert doc.slug == "qt-ht-01" and doc.url == "quy-trinh/qt-ht-01/"
    assert doc.body.lstrip().startswith("## 1. Mục đích")


def test_unquoted_national_code_keeps_its_zeros(tmp_path):
    text = document_text(tthc_meta()).replace("national_code: '1.001193'", "national_code: 1.000100")
    assert "national_code: 1.000100" in text  # written unquoted, as in DESIGN.md
    path = tmp_path / "procedures" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    (doc,) = load_corpus(tmp_path).documents
    assert doc.meta.tthc.national_code == "1.000100"


def test_yaml_date_and_no_as_text(tmp_path):
    text = document_text(tthc_meta(effective=dt.date(2025, 3, 1)))
    text = text.replace("fee: Miễn phí", "fee: no", 1)  # YAML 1.1 would read this as False
    path = tmp_path / "procedures" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    (doc,) = load_corpus(tmp_path).documents
    assert doc.meta.effective == dt.date(2025, 3, 1)
    assert doc.meta.tthc.channels[0].fee == "no"


def test_bom_crlf_and_nfd_are_normalised(tmp_path):
    text = document_text(tthc_meta(title="Đăng ký khai sinh"))
    raw = ("\ufeff" + unicodedata.normalize("NFD", text)).replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "procedures" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    corpus = load_corpus(tmp_path)
    assert corpus.findings == []
    (doc,) = corpus.documents
    assert doc.meta.title == unicodedata.normalize("NFC", "Đăng ký khai sinh")
    assert "\r" not in doc.body and unicodedata.is_normalized("NFC", doc.body)


def test_lines_point_into_the_file(tmp_path):
    write_doc(tmp_path, "x.md", tthc_meta())
    (doc,) = load_corpus(tmp_path).documents
    lines = (tmp_path / "procedures" / "x.md").read_text(encoding="utf-8").split("\n")
    assert lines[doc.line_of("revision") - 1].startswith("revision:")
    assert lines[doc.line_of("tthc", "national_code") - 1].strip().startswith("national_code:")
    assert "\n".join(lines[doc.body_line - 1 :]) == doc.body


def test_a_source_memo_reads_again_only_files_that_changed(tmp_path):
    import os
    import time

    from eiso.documents.loader import SourceMemo
    from eiso.filestate import RACY_NS

    path = tmp_path / "a.md"
    path.write_text("Một\n", encoding="utf-8")
    memo = SourceMemo()
    fresh = memo.read(tmp_path, "a.md")
    assert memo.files == {}  # just written: not kept (a change in the same clock tick would go unseen)
    old = time.time_ns() - 10 * RACY_NS
    os.utime(path, ns=(old, old))
    time.sleep(2 * RACY_NS / 1e9)  # the change time, set by utime itself, settles too
    first = memo.read(tmp_path, "a.md")
    assert first.text == fresh.text == "Một\n"
    assert memo.read(tmp_path, "a.md") is first  # unchanged: not read again
    path.write_text("Hai\n", encoding="utf-8")  # same size, new times
    assert memo.read(tmp_path, "a.md").text == "Hai\n"
    memo.keep_only(set())
    assert memo.files == {}
