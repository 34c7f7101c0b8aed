"""Legal basis: codes such as 60/2014/QH13, 123/2015/NĐ-CP found in flattened tables and free text."""

from __future__ import annotations

import re
from typing import Iterable

from eiso.documents.text import code_text, fold, slugify
from eiso.importers.tthc.clean import BLANKS, SPACES, clean_value, meaningful, no_info, one_line, short


_HEADER_LEGAL = re.compile(r"^\s*Tên văn bản pháp lý\s*Mã văn bản")


_UPPER = "A-ZĐƯƠÂĂÊÔ"
_SEGMENT = rf"(?:TTg|[{_UPPER}]+\d{{0,2}})"
_CODE = re.compile(rf"(?<![\d/])(?:\d{{1,3}}\.\d{{1,3}}|\d{{1,4}})/(?:\d{{4}}/)?{_SEGMENT}(?:(?:-\s?|/){_SEGMENT})*(?:\(X\d+\))?")
_GLUED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d{1,3}/\d{4}/)")  # "năm 2011" + "02/2011/QH13"
# A code glued to the next code: "…/QH14" + "51/2019/QH14" (QH takes the legislature's two digits),
# "…/NĐ-CP" + "64/2022/NĐ-CP" (other issuers take none).
_GLUED_CODE = re.compile(rf"(?:(?<=QH\d\d)|(?<=[{_UPPER}])(?<!QH))(?=\d{{1,4}}/\d{{4}}/)")
_GLUE = "\x1f"  # marks a place where two table cells were glued
_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}"
                       r"(?:ch|ng|nh|[cmnpt])?$")
_DOC_TYPES = ("luat", "bo luat", "nghi dinh", "thong tu", "thong tu lien tich", "quyet dinh", "nghi quyet",
              "phap lenh", "lenh", "chi thi", "van ban hop nhat", "cong van", "hien phap")


def normalize_code(code: str) -> str:
    return code_text(code)


# Issuer segments that Vietnamese spells with Đ; national data sometimes writes them without (18/2021/ND-CP).
ACCENTED_SEGMENTS = {"ND": "NĐ", "QD": "QĐ", "BLDTBXH": "BLĐTBXH", "HDND": "HĐND", "HDTP": "HĐTP"}


def spelled_code(code: str) -> str:
    """A code as it should be written: no spaces, Đ restored in the usual issuer segments (``123/2015/NĐ-CP``)."""
    return "".join(ACCENTED_SEGMENTS.get(part, part) for part in re.split(r"([-/])", normalize_code(code)))


def find_codes(text: str, known: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """``(start, end, code)`` of each legal document code in ``text``.

    A code glued to the next word (``NĐ-CPSửa đổi``) ends before the capital letter that starts a
    Vietnamese syllable; codes the record already knows win over that guess (``TT-BCAQUY`` -> ``TT-BCA``).
    """
    known_codes = sorted({normalize_code(k) for k in known}, key=len, reverse=True)
    found = []
    for match in _CODE.finditer(text):
        start, end = match.span()
        code = match.group(0)
        normal = normalize_code(code)
        better = next((k for k in known_codes if normal.startswith(k) and len(k) < len(normal)
                       and k.split("/")[0] == normal.split("/")[0]), None)
        if better and normal not in known_codes:
            # Shorten the span to the known code, counting characters of the original text.
            kept = 0
            for index, char in enumerate(code):
                if not char.isspace():
                    kept += 1
                if kept == len(better):
                    end = start + index + 1
                    break
            code = text[start:end]
        elif end < len(text) and code[-1].isupper() and text[end].islower():
            word = re.match(r"[^\W\d_]+", text[end:])
            last = re.split(r"[-/]", code)[-1]
            if word and len(last) >= 3 and _SYLLABLE.match(fold(code[-1] + word.group(0))):
                end -= 1  # "NĐ-CPSửa đổi": the S starts the next title
                code = code[:-1]
        found.append((start, end, normalize_code(code)))
    return found


def split_legal_table(text: str, known: Iterable[str] = ()) -> tuple[list[dict], str]:
    """Split "title code title code …" (a flattened two-column table) into references.

    A code is the code column when it is glued to the text before it (no space), starts a line, or ends
    the text; a code after a space is a mention inside a title (``Luật 54/2014/QH13`` + ``54/2014/QH13``).
    Returns the references and the trailing text that had no code.
    """
    text = _GLUED_YEAR.sub(rf"\1{_GLUE}\2", text)
    text = _GLUED_CODE.sub(_GLUE, text)
    refs: list[dict] = []
    position = 0
    for start, end, code in find_codes(text, known):
        before = text[start - 1] if start > 0 else ""
        title = _tidy_title(text[position:start])
        if not re.search(r"\w", title):
            continue
        after = text[end:end + 2]
        at_end = not text[end:].strip(" .;," + _GLUE)
        glued = before not in (" ", "\t", "")
        # "Nghị định 101/2024/NĐ-CPNghị định …": a new title starts right after the code.
        starts_title = bool(re.match(r"[^\W\d_]", after[:1])) and after[:1].isupper()
        if glued or at_end or starts_title:
            refs.append({"code": code, "title": title})
            position = end
    return refs, _tidy_title(text[position:])


_GLUED_DOC_TYPE = re.compile(r"(?<=[a-zà-ỹđ.)])(?:Bộ luật|Luật|Nghị định|Thông tư(?: liên tịch)?|Quyết định|Nghị quyết|"
                             r"Pháp lệnh|Lệnh)(?:\s*số)?\s*$")
_OTHER_COLUMN = re.compile(r"^(?:Cơ quan thực hiện|Yêu cầu, điều kiện|Kết quả thực hiện|Đối tượng thực hiện)",
                           re.IGNORECASE)


def _tidy_title(text: str) -> str:
    text = text.replace(_GLUE, " ")
    text = _GLUED_DOC_TYPE.sub("", text)  # "…môi trườngLuật số" + "146/2025/QH15": the code's own words
    text = SPACES.sub(" ", text.replace("\n", " ")).strip()
    return text.lstrip(BLANKS + "-–—:;,.)").rstrip(BLANKS + "-–—:;,(").strip()


def _without_number_word(text: str) -> str:
    """Without a trailing "số" (the word before a code) and separators; str methods, linear."""
    text = text.rstrip(BLANKS + ":,-–")
    if text[-2:].lower() == "số" and text[:-2] != text[:-2].rstrip(BLANKS):
        text = text[:-2]
    return text.strip()


def _title_without_code(title: str, code: str) -> str:
    """``Luật Hộ tịch số 60/2014/QH13`` -> ``Luật Hộ tịch``; ``Nghị định 82/2015/NĐ-CP`` stays whole."""
    codes = find_codes(title, [code])
    if not codes:
        return title
    start, end, found = codes[-1]
    if found != code or title[end:].strip(" .;,"):
        return title
    rest = _without_number_word(title[:start])
    if not rest or fold(rest) in _DOC_TYPES or len(rest.split()) < 2:
        return title
    return rest


def clean_legal_basis(record: dict, warn) -> tuple[list[dict], str]:
    """References ``{code, title}`` and any text that could not be split (for the body)."""
    items = [i for i in (record.get("legal_basis") or []) if isinstance(i, dict)] \
        if isinstance(record.get("legal_basis"), list) else []
    known = [c for i in items for _, _, c in find_codes(one_line(i.get("code")))]
    text = clean_value(record.get("legal_basis_text"), multiline=True)
    leftover = ""
    refs: list[dict] = []
    if _HEADER_LEGAL.match(text):
        refs, rest = split_legal_table(_HEADER_LEGAL.sub("", text, count=1), known)
        if re.search(r"\w{3}", rest) and not _OTHER_COLUMN.match(rest):
            refs.append({"code": "", "title": rest})
    else:
        for item in items:
            title = one_line(item.get("title"))
            raw_code = one_line(item.get("code"))
            codes = find_codes(raw_code)
            code = codes[0][2] if codes else ""
            if not code and raw_code:
                if re.fullmatch(r"[\w.\-–/() ]{1,40}", raw_code) and re.search(r"\d", raw_code) and "/" in raw_code:
                    code = raw_code  # an unusual code, such as QĐ/0001-BCA
                elif not title:
                    title = raw_code
            glued = [c for c in find_codes(title) if c[0] > 0 and not title[c[0] - 1].isspace()
                     and title[c[1]:].strip()]
            if glued:  # a flattened table inside one title
                split, rest = split_legal_table(title + (" " + raw_code if raw_code else ""), known)
                refs.extend(split)
                if re.search(r"\w{3}", rest):
                    refs.append({"code": "", "title": rest})
                continue
            refs.append({"code": code, "title": _tidy_title(title)})
        if not items and meaningful(text):
            leftover = text
            warn("không tách được căn cứ pháp lý; văn bản gốc được đưa vào phần nội dung để hoàn thiện")
    cleaned: list[dict] = []
    seen: set[str] = set()
    for ref in refs:
        code, title = ref["code"], _tidy_title(ref["title"])
        if not code:
            mentioned = find_codes(title)
            if len({c for _, _, c in mentioned}) == 1:
                code = mentioned[0][2]
        if title and code:
            title = _title_without_code(title, code)
        if not title:
            title = code
        if not title or no_info(title):
            continue
        key = slugify(code) if code else "t:" + fold(title)
        if key in seen:
            continue
        seen.add(key)
        if not code:
            warn(f"căn cứ pháp lý «{short(title)}» không có số, ký hiệu")
        elif title == code:
            warn(f"căn cứ pháp lý {code} không có trích yếu")
        # Written as the register and `eiso check` expect: a spelling is never a change of the national data.
        cleaned.append({"code": spelled_code(code), "title": title} if code else {"title": title})
    return cleaned, leftover
