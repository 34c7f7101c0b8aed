"""Nothing of a Word file is lost silently: every paragraph the file holds is found in the import, or kept.

The recognisers read what python-docx shows, and python-docx does not show everything: tracked insertions,
fields, content controls, footers, first-page headers, tables nested two levels deep. And a recogniser
keeps only the columns it knows. So after recognition the file's XML is read once more, every paragraph
(body, table cells at any depth, text boxes, headers, footers, notes) as one unit, and a unit whose words
are not in the imported document is added at the end of the body, with a report line saying where it was.

Values the recognisers turn into facts (dates to ISO form, times to durations, numbers) are not text of
the output; a piece that reads as one of them counts as imported. Linear: each unit is looked up in sets
of the output's word n-grams.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any, Iterator

from eiso.documents.text import fold
from eiso.importers.docx_fields import find_date, parse_time, section_number
from eiso.importers.docx_reader import MC_FALLBACK, DocxError, word_text
from eiso.importers.docx_recognised import Recognised, escape

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_PART_NAMES = {"document": "phần thân", "header": "đầu trang", "footer": "chân trang", "footnotes": "chú thích cuối trang",
               "endnotes": "chú thích cuối tài liệu", "comments": "ghi chú (comment)"}
_WORD = re.compile(r"\w+")
_PIECES = re.compile(r"[:;|]")
_FILLER = {"da ky", "ky", "chu ky", "ky ten", "ky, ghi ro ho ten"}  # signature placeholders, not content
LEFTOVER_HEADING = "## Nội dung khác từ bản Word (chưa xếp vào mục nào)"


def word_units(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """``(where, text)`` of every paragraph of the file, and where each image is. The file passed
    ``docx_reader``'s screening (size, bombs) before this is called."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    units: list[tuple[str, str]] = []
    images: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if _PARTS.fullmatch(n)):
            try:
                root = etree.fromstring(archive.read(name), parser)
            except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError) as error:
                raise DocxError(f"phần «{name}» của tệp Word bị hỏng, không đọc được ({type(error).__name__})") from None
            _drop_fallbacks(root)
            for where, text, pictures in _paragraphs(root, _part_label(name)):
                if text:
                    units.append((where, text))
                images += [where] * pictures
    return units, images


def _drop_fallbacks(root) -> None:
    """Remove every ``mc:Fallback``: Word's second copy of a text box or shape (VML, for old readers), which
    the reader skips too; counting it would report each box's text, and each picture, twice."""
    for fallback in list(root.iter(MC_FALLBACK)):
        fallback.getparent().remove(fallback)  # one nested in a removed fallback goes from the detached copy


def _part_label(name: str) -> str:
    stem = name.split("/")[-1][:-4]
    kind = stem.rstrip("0123456789")
    label = _PART_NAMES.get(kind, stem)
    return label if kind in ("document", "footnotes", "endnotes", "comments") else f"{label} ({stem}.xml)"


def _paragraphs(root, label: str) -> Iterator[tuple[str, str, int]]:
    """Each ``w:p`` with its own text (not that of paragraphs nested in its text boxes) and its pictures.

    One pass over the part; finding a node's paragraph walks up its ancestors, which libxml2 bounds
    (256 levels without ``huge_tree``)."""
    order: list = []
    texts: dict = {}
    pictures: dict = {}
    for node in root.iter(f"{W}p", f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}drawing", f"{W}pict"):
        if node.tag == f"{W}p":
            order.append(node)
            texts[node], pictures[node] = [], 0
            continue
        owner = _owner(node)
        if owner is None:
            continue
        if node.tag == f"{W}t":
            texts[owner].append(node.text or "")
        elif node.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            texts[owner].append(" ")
        else:
            pictures[owner] += _has_picture(node)
    for number, paragraph in enumerate(order, start=1):
        # Cleaned as the reader cleans it, or every paragraph with a soft hyphen would be "missing".
        yield f"{label}, đoạn thứ {number}", word_text("".join(texts[paragraph])), pictures[paragraph]


def _owner(node):
    parent = node.getparent()
    while parent is not None and parent.tag != f"{W}p":
        parent = parent.getparent()
    return parent


def _has_picture(node) -> bool:
    return any(child.tag.endswith(("}blip", "}imagedata")) for child in node.iter())


def keep_leftovers(path: Path, result: Recognised) -> None:
    """Add to the body every paragraph of the Word file the import does not contain, and report it."""
    units, images = word_units(path)
    present = _ngrams(_output_text(result))
    missing: dict[str, str] = {}
    for where, text in units:
        if text not in missing and not _covered(text, present):
            missing[text] = where
    if missing:
        result.body.append(LEFTOVER_HEADING)
        for text, where in missing.items():
            result.body.append(escape(text))
            result.note(where, f"đoạn chưa xếp vào mục nào, đã giữ nguyên ở cuối nội dung: «{_short(text)}»")
    for where in dict.fromkeys(images):
        result.note(where, "có hình ảnh (ví dụ lưu đồ) không nhập được: cần đưa lại vào tài liệu nếu cần")


def _output_text(result: Recognised) -> str:
    values: list[str] = []
    _flatten(result.meta, values)
    return " ".join(values + result.report + result.sources + result.body).replace("<br>", " ")


def _flatten(value: Any, into: list[str]) -> None:
    # The front matter the recognisers build is a few levels deep (steps → time), never deeper.
    if isinstance(value, dict):
        for item in value.values():
            _flatten(item, into)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            _flatten(item, into)
    elif value is not None:
        into.append(str(value))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _ngrams(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    found: set[tuple[str, ...]] = set()
    for size in (1, 2, 3):
        found.update(tuple(words[i:i + size]) for i in range(len(words) - size + 1))
    return found


def _covered(text: str, present: set[tuple[str, ...]]) -> bool:
    return all(_piece_covered(piece, present) for piece in _PIECES.split(text) if _words(piece))


def _piece_covered(piece: str, present: set[tuple[str, ...]]) -> bool:
    number = section_number(piece.strip())
    if number and number[0].isupper() and len(piece.split()) > 1:  # "IV. ĐỊNH NGHĨA": the heading's number
        piece = piece.strip()[len(number):]  # (Arabic numbers are skipped below, where "04 giờ" stays a time)
    words = _words(piece)
    while len(words) > 1 and words[0].isdigit():  # "5.3. Số lượng hồ sơ": Word's numbering, not content
        words = words[1:]
    if " ".join(_words(fold(piece))) in _FILLER or all(w.isdigit() for w in words):
        return True
    # A date or a duration alone became a value (ISO date, {value, unit}); in a sentence it is still text.
    if sum(not w.isdigit() for w in words) <= 4 and (find_date(piece) is not None or parse_time(piece) is not None):
        return True
    size = min(len(words), 3)
    return all(tuple(words[i:i + size]) in present for i in range(len(words) - size + 1))


def _short(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
