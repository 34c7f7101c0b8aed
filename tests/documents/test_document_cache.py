"""The cache of parsed documents: reused only when signed by this user's key, and equal to a fresh parse."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

from eiso.documents.cache import DocumentCache
from eiso.documents.loader import load_corpus, parse_document
from factory import system_meta, write_doc

KEY = b"k" * 32
CALLS: list[str] = []


def _record_call(name: str) -> str:
    CALLS.append(name)
    return name


class _Payload:
    """Unpickling this calls ``_record_call``: what a hostile cache file would use to run code."""

    def __reduce__(self):
        return (_record_call, ("unpickled",))


def _counting(counter: list[str]):
    def parse(rel: str, text: str):
        counter.append(rel)
        return parse_document(rel, text)
    return parse


def test_a_second_run_reuses_unchanged_documents_and_parses_changed_ones(tmp_path: Path) -> None:
    path = tmp_path / "documents.pickle"
    text_a = "---\ncode: QT-01\ntitle: Một\nkind: internal\nunit: VP\nrevision: 1\nstatus: draft\n---\nThân A\n"
    text_b = text_a.replace("QT-01", "QT-02").replace("Thân A", "Thân B")
    first, parsed = DocumentCache(path, "fp", KEY), []
    fresh_a = first.parse("procedures/a.md", text_a, _counting(parsed))
    first.parse("procedures/b.md", text_b, _counting(parsed))
    first.save()
    second, parsed_again = DocumentCache(path, "fp", KEY), []
    cached_a = second.parse("procedures/a.md", text_a, _counting(parsed_again))
    second.parse("procedures/b.md", text_b + "sửa\n", _counting(parsed_again))
    assert parsed == ["procedures/a.md", "procedures/b.md"]
    assert parsed_again == ["procedures/b.md"]  # only the edited file is parsed again
    assert cached_a == fresh_a and cached_a[0].meta.code == "QT-01"
    # the same text under another path is another document (findings name the path)
    assert DocumentCache(path, "fp", KEY).parse("procedures/c.md", text_a, parse_document)[0].path == "procedures/c.md"


def test_a_file_not_signed_with_this_key_is_never_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "documents.pickle"
    hostile = pickle.dumps({"x": pickle.dumps(_Payload())})
    for data in (b"\0" * 32 + hostile, hostile, b""):
        path.write_bytes(data)
        CALLS.clear()
        cache = DocumentCache(path, "fp", KEY)
        assert cache.entries == {} and CALLS == []
    # signed by another key, or for another package fingerprint: ignored as well
    other = DocumentCache(path, "fp", b"o" * 32)
    other.parse("procedures/a.md", "---\ncode: A\n---\n", parse_document)
    other.save()
    assert DocumentCache(path, "fp", KEY).entries == {}
    assert DocumentCache(path, "other-fp", b"o" * 32).entries == {}
    assert DocumentCache(path, "fp", b"o" * 32).entries != {}
    # one byte of the payload changed, or the file cut inside its signature: ignored
    signed = path.read_bytes()
    for data in (signed[:-1] + bytes([signed[-1] ^ 1]), signed[:20]):
        path.write_bytes(data)
        assert DocumentCache(path, "fp", b"o" * 32).entries == {}


def test_load_corpus_with_a_cache_gives_the_same_corpus(tmp_path: Path) -> None:
    write_doc(tmp_path, "procedures/a.md", system_meta("QT-01"))
    write_doc(tmp_path, "procedures/b.md", system_meta("QT-02"))
    (tmp_path / "procedures" / "broken.md").write_text("---\ncode: [\n---\n", encoding="utf-8")
    plain = load_corpus(tmp_path)
    cache_file = tmp_path / ".eiso-cache" / "documents.pickle"
    load_corpus(tmp_path, cache=DocumentCache(cache_file, "fp", KEY))
    again = load_corpus(tmp_path, cache=DocumentCache(cache_file, "fp", KEY))
    assert again.documents == plain.documents and len(plain.documents) == 2
    assert again.findings == plain.findings and plain.findings  # the broken file's finding, from the cache
    assert again.rejected == plain.rejected == ["procedures/broken.md"]


def test_results_that_depend_on_more_than_the_text_are_not_kept(tmp_path: Path) -> None:
    # An adoption is merged with the framework repository: with a framework, the loader keeps only
    # documents that adopt nothing, under a scope of their own.
    path = tmp_path / "documents.pickle"
    text = "---\ncode: QT-01\n---\n"
    first = DocumentCache(path, "fp", KEY)
    first.parse("procedures/a.md", text, parse_document, scope="framework", keep=lambda result: False)
    first.parse("procedures/b.md", text, parse_document, scope="framework")
    first.save()
    parsed: list[str] = []
    second = DocumentCache(path, "fp", KEY)
    second.parse("procedures/a.md", text, _counting(parsed), scope="framework")
    second.parse("procedures/b.md", text, _counting(parsed), scope="framework")
    second.parse("procedures/b.md", text, _counting(parsed))  # without a framework: another key
    assert parsed == ["procedures/a.md", "procedures/b.md"]


def test_a_live_cache_hands_the_next_run_of_this_process_the_same_results_without_unpickling(tmp_path: Path) -> None:
    """The live preview builds at every edit: its documents are not unpickled again, and what a run no longer
    uses is let go."""
    path = tmp_path / "documents.pickle"
    text_a = "---\ncode: QT-01\ntitle: Một\nkind: internal\nunit: VP\nrevision: 1\nstatus: draft\n---\nThân A\n"
    text_b = text_a.replace("QT-01", "QT-02").replace("Thân A", "Thân B")
    first, parsed = DocumentCache(path, "fp-live", KEY, live=True), []
    made_a = first.parse("procedures/a.md", text_a, _counting(parsed))
    made_b = first.parse("procedures/b.md", text_b, _counting(parsed))
    first.save()
    second = DocumentCache(path, "fp-live", KEY, live=True)
    second.entries = {}  # nothing on disk to unpickle: what comes back is what the first run held
    assert second.parse("procedures/a.md", text_a, _counting(parsed))[0] is made_a[0]
    assert parsed == ["procedures/a.md", "procedures/b.md"]
    second.save()  # b was not used by this run
    third = DocumentCache(path, "fp-live", KEY, live=True)
    third.entries = {}
    assert third.parse("procedures/b.md", text_b, _counting(parsed))[0] is not made_b[0]
    assert parsed[-1] == "procedures/b.md"  # parsed again
    plain = DocumentCache(path, "fp-live", KEY)
    assert plain.parse("procedures/a.md", text_a, _counting(parsed))[0] is not made_a[0]  # not live: unpickled


def _fresh_size(text: str) -> int:
    """The size of an equal text that nothing has encoded yet."""
    import sys

    return sys.getsizeof(text.encode("utf-8").decode("utf-8"))


def test_documents_come_without_the_utf8_copies_that_pickling_attaches(tmp_path: Path) -> None:
    """CPython keeps a UTF-8 copy inside a non-ASCII text once pickle or pydantic's JSON writer has encoded it
    (``sys.getsizeof`` counts it): the documents handed out, and their fingerprints, must not carry one."""
    import sys

    body = "Thủ tục đăng ký khai sinh tại Ủy ban nhân dân cấp xã. " * 200
    texts = {f"procedures/qt-{n}.md": "---\ncode: QT-0{n}\ntitle: Quy trình số {n}\nkind: internal\nunit: Văn phòng\n"
             f"revision: 1\nstatus: draft\n---\n{body}{n}\n" for n in range(1, 4)}
    cache = DocumentCache(tmp_path / "documents.pickle", "fp", KEY)
    items = list(texts.items())
    results = cache.parse_all(items, lambda i: parse_document(*items[i]))
    documents = [document for document, _ in results]
    for document in documents:
        document.fingerprint(body=True), document.fingerprint(body=False)
        assert sys.getsizeof(document.body) == _fresh_size(document.body)
        assert sys.getsizeof(document.meta.title) == _fresh_size(document.meta.title)
    pickle.dumps(documents[0])  # what the guard above would see
    assert sys.getsizeof(documents[0].body) > _fresh_size(documents[0].body)


def test_unpickled_documents_share_their_sets_of_given_fields(tmp_path: Path) -> None:
    """pydantic gives each model its set of the field names it was given: one per distinct set once unpickled."""
    text = "---\ncode: QT-0{n}\ntitle: Một\nkind: internal\nunit: VP\nrevision: 1\nstatus: draft\n---\nThân\n"
    first, second = (pickle.loads(pickle.dumps(parse_document(f"procedures/{n}.md", text.format(n=n))[0]))
                     for n in (1, 2))
    assert first.meta.__pydantic_fields_set__ is second.meta.__pydantic_fields_set__
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    given = set(first.meta.__pydantic_fields_set__)
    assert "effective" not in given
    copied = first.meta.model_copy(update={"title": "Hai", "effective": dt.date(2026, 1, 1)})
    assert copied.title == "Hai" and first.meta.title == "Một"
    assert "effective" in copied.model_fields_set  # the copy's own set, not the shared one
    assert first.meta.__pydantic_fields_set__ == second.meta.__pydantic_fields_set__ == given
