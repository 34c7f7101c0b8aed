"""The province's GitLab CI template: its jobs, and its collect script run against a fake GitLab API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from factory import REPO

TEMPLATE = REPO / "templates" / "gitlab-ci-province.yml"


def load() -> dict:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def collect_script() -> str:
    script = load()["collect"]["script"][-1]
    body = script.split("<<'EOF'\n", 1)[1].rsplit("\nEOF", 1)[0]
    return textwrap.dedent(body)


def test_jobs_run_on_schedule_and_build_the_portal():
    data = load()
    rules = [rule["if"] for rule in data["workflow"]["rules"]]
    assert '$CI_PIPELINE_SOURCE == "schedule"' in rules
    assert data["variables"]["GIT_SUBMODULE_STRATEGY"] == "recursive"  # the framework submodule's history
    portal = data["portal"]
    assert portal["needs"] == ["collect"]
    assert any(line.startswith("eiso province build province.yml") for line in portal["script"])
    assert "cong-giam-sat/" in portal["artifacts"]["paths"] and "pages" not in data  # internal, not on Pages


class FakeGitLab(BaseHTTPRequestHandler):
    published: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        body = self.published.get(unquote(parts.path)) if self.headers.get("JOB-TOKEN") == "job-token" else None
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        if body is not None:
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_collect_downloads_each_agency_and_reports_the_missing_one(tmp_path: Path):
    prefix = "/api/v4/projects/xa/tan-lap/jobs/artifacts/main/raw/site/api/"
    FakeGitLab.published = {prefix + "documents.json": b"[]", prefix + "qms.json": b'{"schema": 1}'}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitLab)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp_path / "province.yml").write_text(yaml.safe_dump({"agencies": [
            {"name": "UBND xã Tân Lập", "code": "1", "data": "du-lieu/1", "project": "xa/tan-lap"},
            {"name": "UBND xã Vắng", "code": "2", "data": "du-lieu/2", "project": "xa/vang"},
        ]}, allow_unicode=True), encoding="utf-8")
        env = dict(os.environ, CI_API_V4_URL=f"http://127.0.0.1:{server.server_port}/api/v4", CI_JOB_TOKEN="job-token",
                   EISO_AGENCY_REF="main", EISO_AGENCY_JOB="intranet")
        env.pop("EISO_PROVINCE_TOKEN", None)
        result = subprocess.run([sys.executable, "-c", collect_script()], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "du-lieu/1/api/documents.json").read_bytes() == b"[]"
    assert json.loads((tmp_path / "du-lieu/1/api/qms.json").read_text()) == {"schema": 1}
    assert not (tmp_path / "du-lieu/2/api/qms.json").exists()
    assert "Không tải được dữ liệu của UBND xã Vắng" in result.stdout
    assert "Đã tải dữ liệu của 1 cơ quan; 1 cơ quan không tải được." in result.stdout
