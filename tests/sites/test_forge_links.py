"""A document's "Gửi góp ý" link carries its code, title and path exactly, whatever characters they hold."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlsplit

import pytest

from eiso.sites.forge import change_actions


@pytest.mark.parametrize("repo_url, title_key, body_key", [
    ("https://gitlab.example.vn/xa/e-iso", "issue[title]", "issue[description]"),
    ("https://github.com/xa/e-iso", "title", "body"),
])
def test_the_feedback_link_gives_back_every_character(repo_url: str, title_key: str, body_key: str) -> None:
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x20, 0x250)] + list("Đđ–—…“”’ ắằẳẵặ ở ữ 𝔘 😀 \u200b\u202e&=+%#?/;")
    for _ in range(500):
        code, title, path = ("".join(rng.choices(alphabet, k=rng.randrange(1, n))) for n in (12, 80, 40))
        issue = change_actions(repo_url, "main", path, code, title)[1].url
        query = parse_qs(urlsplit(issue).query, keep_blank_values=True, strict_parsing=True)
        assert query[title_key] == [f"[{code}] Góp ý: {title}"]
        assert query[body_key] == [f"Tài liệu: {code} – {title}\nTệp: {path}\n\nNội dung góp ý / đề xuất sửa đổi:\n"]
        assert "#" not in issue  # nothing the text holds ends the query early
