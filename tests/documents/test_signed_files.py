"""Signed cache files (``.eiso-cache/``): written as they are made, read back only with the writer's key."""

from __future__ import annotations

import pickle

from eiso.documents.cache import read_signed, write_signed, write_signed_stream

KEY, OTHER = b"k" * 32, b"o" * 32


def test_a_streamed_payload_reads_back_as_written_and_only_with_its_key_and_context(tmp_path):
    path = tmp_path / "cache.bin"
    value = {f"tài liệu {i}": bytes(range(256)) * 300 for i in range(50)}  # larger than pickle's frames
    write_signed_stream(path, KEY, b"ctx", lambda out: pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL))
    assert pickle.loads(read_signed(path, KEY, b"ctx")) == value
    assert read_signed(path, OTHER, b"ctx") is None
    assert read_signed(path, KEY, b"ctx2") is None


def test_streamed_and_whole_writes_are_the_same_file(tmp_path):
    payload = "Quy trình đăng ký khai sinh\n".encode() * 1000
    write_signed(tmp_path / "whole", KEY, b"ctx", payload)
    write_signed_stream(tmp_path / "parts", KEY, b"ctx", lambda out: [out.write(payload[i:i + 777])
                                                                       for i in range(0, len(payload), 777)])
    assert (tmp_path / "whole").read_bytes() == (tmp_path / "parts").read_bytes()


def test_a_changed_byte_or_a_payload_moved_into_the_context_is_refused(tmp_path):
    path = tmp_path / "cache.bin"
    write_signed(path, KEY, b"ab", b"cdef")
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert read_signed(path, KEY, b"ab") is None
    write_signed(path, KEY, b"ab", b"cdef")
    assert read_signed(path, KEY, b"abc") is None  # context and payload are told apart
