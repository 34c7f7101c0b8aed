import pytest

from eiso.documents.mdlines import text_lines
from eiso.sites.public_body import public_sections


def test_fenced_lines_are_code():
    lines = list(text_lines("a\n```\n# not a heading\n```\nb\n~~~py\nx\n~~~"))
    assert [prose for _, prose in lines] == [True, False, False, False, True, False, False, False]


def test_public_sections_end_at_a_heading_of_their_level_not_inside_code():
    body = ("## 1. Công khai {.public}\n\nMỤC-A\n\n## 2. Nội bộ {.internal}\n\nMỤC-B\n\n```\n## 3. Giả {.public}\n```\n\n"
            "### 2.1 Con\n\nMỤC-C\n\n## 4. Công khai {.public}\n\nMỤC-D\n")
    kept = public_sections(body)
    assert "MỤC-A" in kept and "MỤC-D" in kept and "4. Công khai" in kept
    assert "MỤC-B" not in kept and "MỤC-C" not in kept and "Giả" not in kept
    # A heading line inside code of a public section: not certain where the section ends, so refused (fail closed).
    from eiso.sites.public_body import UnclearSections

    with pytest.raises(UnclearSections):
        public_sections("## 4. Công khai {.public}\n\n```\n## trong mã {.internal}\n```\nMỤC-D\n")
