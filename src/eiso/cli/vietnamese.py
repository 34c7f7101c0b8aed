"""argparse speaking Vietnamese: usage line, section titles, -h and error messages.

argparse takes its words from gettext, which would need a compiled catalogue installed
beside the package; a subclass says them directly instead. Sub-command parsers made with
``add_parser`` are of the same class, so they speak Vietnamese too.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

# argparse's error messages (Python 3.11–3.13), most specific first.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^argument (.+?): (.*)$", re.S), "tham số {0}: {1}"),
    (re.compile(r"^invalid choice: (.*) \(choose from (.*)\)$", re.S), "giá trị không hợp lệ: {0} (chọn một trong: {1})"),
    (re.compile(r"^invalid (\S+) value: (.*)$", re.S), "giá trị {1} không hợp lệ (cần kiểu {0})"),
    (re.compile(r"^expected one argument$"), "cần một giá trị"),
    (re.compile(r"^expected at least one argument$"), "cần ít nhất một giá trị"),
    (re.compile(r"^expected at most one argument$"), "cần nhiều nhất một giá trị"),
    (re.compile(r"^expected (\d+) arguments?$"), "cần {0} giá trị"),
    (re.compile(r"^the following arguments are required: (.*)$", re.S), "thiếu tham số bắt buộc: {0}"),
    (re.compile(r"^unrecognized arguments: (.*)$", re.S), "tham số không nhận ra: {0}"),
    (re.compile(r"^ambiguous option: (\S+) could match (.*)$", re.S), "tùy chọn {0} không rõ, có thể là: {1}"),
    (re.compile(r"^one of the arguments (.*) is required$", re.S), "cần một trong các tham số: {0}"),
    (re.compile(r"^not allowed with argument (.*)$", re.S), "không được dùng cùng tham số {0}"),
    (re.compile(r"^ignored explicit argument (.*)$", re.S), "bỏ qua giá trị {0}"),
]


def translate_error(message: str) -> str:
    """argparse's English error message in Vietnamese (unknown ones are kept as they are)."""
    for pattern, template in _ERRORS:
        match = pattern.match(message)
        if match:
            return template.format(*(translate_error(g) if i == 1 and template.startswith("tham số {0}: ") else g
                                     for i, g in enumerate(match.groups())))
    return message


class VietnameseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class VietnameseArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="hiện hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {translate_error(message)}\n")
