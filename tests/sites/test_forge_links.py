"""The forge links' query strings are exactly what urllib writes, for any text a document holds."""

from __future__ import annotations

import random
from urllib.parse import urlencode

from eiso.sites.forge import form_encoded


def test_form_encoding_is_urllib_s_for_every_kind_of_character() -> None:
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x20, 0x250)] + list("\n\t\r Đđ–—…“”’ ắằẳẵặ ở ữ 𝔘 😀 \u200b\u202e&=+%#?/")
    for _ in range(2000):
        fields = {"".join(rng.choices(alphabet, k=rng.randrange(0, 8))): "".join(rng.choices(alphabet, k=rng.randrange(0, 60)))
                  for _ in range(rng.randrange(1, 4))}
        assert form_encoded(fields) == urlencode(fields)
    fields = {"issue[title]": "[QT-HT-01] Góp ý: Đăng ký khai sinh",
              "issue[description]": "Tài liệu: QT-HT-01 – Đăng ký khai sinh\nTệp: procedures/x.md\n"}
    assert form_encoded(fields) == urlencode(fields)
