#!/bin/sh
# Browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright; no browser download.
set -e
# pdftotext (poppler-utils) reads the PDFs that the print tests make.
if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài Chromium của Debian và poppler-utils cho các kiểm thử trình duyệt…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core poppler-utils >/dev/null
else
  echo "Không có /usr/bin/chromium và không thể cài (cần quyền root và apt-get): các kiểm thử trình duyệt sẽ bị bỏ qua." >&2
fi
