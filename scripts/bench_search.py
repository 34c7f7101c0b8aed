#!/usr/bin/env python3
"""Benchmark: e-ISO's prebuilt Vietnamese search against stock Material search.

Builds two MkDocs + Material sites with the same pages, one per procedure of
``/work/shared/corpus/tthc-national.jsonl`` (title = name, body from steps_text and
dossier_text, code = national code):

* **stock**: Material's search plugin as it is (its worker builds a lunr index in
  the browser from ``search/search_index.json``);
* **e-ISO**: the same, plus ``overrides/partials/search.html`` and the files of
  ``eiso.search.build_search_files`` (prebuilt index, own worker).

Then, in headless Chromium (Debian's ``/usr/bin/chromium``, no download), for both:

* bytes the browser fetched from page load to the first result, and the time to
  that first result (deep link ``?q=``, fresh browser context each run, median);
* the share of a query set (accented, unaccented, national codes; derived from
  titles) whose expected procedure comes first, asking each site's own worker with
  Material's message protocol, exactly as Material's UI does;
* index build time (e-ISO: Python, ``build_search_files``; stock: the worker's
  SETUP -> READY in the browser, at each page load).

The server is Python's ``http.server``: no HTTP compression, as on a plain static
host. Usage::

    PYTHONPATH=src .venv/bin/python scripts/bench_search.py [--limit 2000] [--queries 60]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from eiso.search import SearchEntry, build_search_files  # noqa: E402
from eiso.search import pipeline as vp  # noqa: E402
from eiso.documents.text import slugify  # noqa: E402

CORPUS = next((p for p in (ROOT.parent / "shared" / "corpus" / "tthc-national.jsonl",
                            ROOT.parent.parent / "shared" / "corpus" / "tthc-national.jsonl") if p.exists()),
              Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "tthc-national.jsonl")
CHROMIUM = "/usr/bin/chromium"
#: Issue 13: time from navigation to the first result, on 2,000 procedures.
TARGET_MS = 500
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# --- corpus -> pages and entries ----------------------------------------------------------


def slug(code: str) -> str:
    return slugify(code) or "x"


def load_records(limit: int, corpus: Path = CORPUS) -> list[dict]:
    records, seen = [], set()
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["code"] in seen:
                continue
            seen.add(record["code"])
            records.append(record)
            if len(records) >= limit:
                break
    return records


def body_text(record: dict) -> str:
    return "\n".join(x for x in (record.get("steps_text"), record.get("dossier_text")) if x)


def first_time(record: dict) -> str:
    for channel in record.get("channels") or []:
        if channel.get("time_text"):
            return channel["time_text"]
    return ""


def page_markdown(record: dict) -> str:
    def esc(text: str) -> str:
        return html.escape(text or "", quote=False)

    lines = [
        f"# {esc(record['name'])}",
        "",
        f"**Mã thủ tục:** {esc(record['code'])}  ",
        f"**Cấp thực hiện:** {esc(record.get('level', ''))}  ",
        f"**Lĩnh vực:** {esc(record.get('field', ''))}",
        "",
        "## Trình tự thực hiện",
        "",
        esc(record.get("steps_text") or ""),
        "",
        "## Thành phần hồ sơ",
        "",
        esc(record.get("dossier_text") or ""),
        "",
    ]
    return "\n".join(lines)


def entries_of(records: list[dict]) -> list[SearchEntry]:
    out = []
    for r in records:
        meta = [("Mã", r["code"]), ("Cấp", r.get("level") or "")]
        if first_time(r):
            meta.append(("Thời hạn", first_time(r)))
        out.append(SearchEntry(
            location=f"thu-tuc/{slug(r['code'])}/",
            title=r["name"],
            text=body_text(r),
            codes=(r["code"],),
            meta=tuple(meta),
        ))
    return out


def write_site_sources(root: Path, records: list[dict], eiso: bool) -> None:
    docs = root / "docs"
    (docs / "thu-tuc").mkdir(parents=True)
    (docs / "index.md").write_text("# Thủ tục hành chính\n\nTra cứu thủ tục hành chính.\n", encoding="utf-8")
    for r in records:
        (docs / "thu-tuc" / f"{slug(r['code'])}.md").write_text(page_markdown(r), encoding="utf-8")
    config = {
        "site_name": "Bench",
        "site_url": "http://127.0.0.1/",
        "theme": {"name": "material", "language": "vi", "features": ["search.highlight"],
                  "font": False},  # as the product ships: no third-party fonts (CSP)
        "plugins": ["search"],
        "nav": ["index.md"],
        "not_in_nav": "/thu-tuc/",
    }
    if eiso:
        overrides = root / "overrides" / "partials"
        overrides.mkdir(parents=True)
        # The product's own search overrides: the worker starts from <head> (main.html).
        for name in ("search.html", "eiso-search-start.html"):
            shutil.copy(ROOT / "overrides" / "partials" / name, overrides / name)
        shutil.copy(ROOT / "overrides" / "main.html", overrides.parent / "main.html")
        config["theme"]["custom_dir"] = "overrides"
        config["extra"] = {"eiso_search": True}
    (root / "mkdocs.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")


def mkdocs_build(root: Path) -> float:
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"], cwd=root,
                            capture_output=True, text=True, env=env)
    if result.returncode:
        raise SystemExit(f"mkdocs build failed in {root}:\n{result.stderr}")
    return time.perf_counter() - t0


# --- queries ------------------------------------------------------------------------------


def make_queries(records: list[dict], entries: list[SearchEntry], count: int, seed: int = 20251123) -> list[dict]:
    """Accented, unaccented and code queries for count/3 procedures picked at random.

    The text query is the shortest start of the title (4 words or more) that no other
    title contains; when there is none, the whole title (the shorter exact title must
    then win over longer titles containing it).
    """
    titles = [vp.compounds(r["name"]) for r in records]
    folded = [" " + " ".join(vp.fold(w) for w in t) + " " for t in titles]
    counts: dict[str, int] = {}
    for f in folded:
        counts[f] = counts.get(f, 0) + 1
    rng = random.Random(seed)
    order = list(range(len(records)))
    rng.shuffle(order)
    queries, per_kind = [], max(1, count // 3)
    for i in order:
        if len(queries) >= per_kind * 3:
            break
        if counts[folded[i]] > 1 or len(titles[i]) < 2:
            continue  # two procedures with the same name: no single right answer
        words = titles[i]
        chosen = words
        for n in range(min(4, len(words)), len(words) + 1):
            probe = " " + " ".join(vp.fold(w) for w in words[:n]) + " "
            if sum(probe in f for f in folded) == 1:
                chosen = words[:n]
                break
        text = " ".join(chosen)
        expected = entries[i].location
        queries.append({"kind": "accented", "q": text, "expected": expected})
        queries.append({"kind": "unaccented", "q": vp.fold(text), "expected": expected})
        queries.append({"kind": "code", "q": records[i]["code"], "expected": expected})
    return queries


# --- serving and measuring ----------------------------------------------------------------


class CountingHandler(SimpleHTTPRequestHandler):
    log: list[tuple[float, str, int]]

    def copyfile(self, source, outputfile):  # noqa: D401 - http.server API
        sent = 0
        while chunk := source.read(64 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        self.server.log.append((time.time() * 1000, unquote(urlsplit(self.path).path), sent))

    def log_message(self, *args):  # quiet
        pass


def serve(directory: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(CountingHandler, directory=str(directory)))
    server.log = []
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


FIRST_RESULT_PROBE = """
(() => {
  const mark = () => {
    if (window.__firstResult === undefined && document.querySelector('.md-search-result__item')) {
      window.__firstResult = performance.now()
      const h = document.querySelector('.md-search-result__item h1, .md-search-result__item h2')
      window.__firstTitle = h ? h.textContent : ''
    }
  }
  new MutationObserver(mark).observe(document, {subtree: true, childList: true})
})()
"""

WORKER_DRIVER = """
async ({queries, eiso}) => {
  const cfg = JSON.parse(document.getElementById('__config').textContent)
  const base = new URL(cfg.base, location.href)
  const index = await (await fetch(new URL('search/search_index.json', base))).json()
  const worker = new Worker(new URL(cfg.search, location.href))  // e-ISO's page redirects it
  let waiting = null
  worker.onmessage = ev => { if (waiting) { const w = waiting; waiting = null; w(ev.data) } }
  const next = type => new Promise(resolve => {
    const handler = data => { if (data.type === type) resolve(data); else waiting = handler }
    waiting = handler
  })
  const t0 = performance.now()
  const ready = next(1)
  worker.postMessage({type: 0, data: {config: index.config, docs: index.docs, options: {suggest: false}}})
  await ready
  const setupMs = performance.now() - t0
  if (eiso) {
    const done = next('eiso:complete')
    worker.postMessage({type: 'eiso:complete'})
    await done
  }
  const completeMs = performance.now() - t0
  const results = []
  const times = []
  for (const q of queries) {
    const s = performance.now()
    const got = next(3)
    worker.postMessage({type: 2, data: q})
    const {data} = await got
    times.push(performance.now() - s)
    const first = data.items.length ? data.items[0][0].location : null
    results.push(first)
  }
  worker.terminate()
  return {setupMs, completeMs, results, times}
}
"""


def is_search_path(path: str) -> bool:
    return "/search/" in path or "/workers/" in path or "/lunr/" in path


def measure_first_result(browser, base_url: str, server, query: str, runs: int) -> dict:
    """Deep link ``?q=``: time to the first result, bytes served until then, and after."""
    samples = []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.add_init_script(FIRST_RESULT_PROBE)
        server.log.clear()
        page.goto(f"{base_url}?q={quote(query)}", wait_until="commit")
        page.wait_for_function("window.__firstResult !== undefined", timeout=180_000, polling=10)
        first_ms = page.evaluate("window.__firstResult")
        first_at = page.evaluate("performance.timeOrigin + window.__firstResult")  # epoch ms
        title = page.evaluate("window.__firstTitle")
        page.wait_for_timeout(3000)  # let background loads (e-ISO's excerpts) finish
        before = [entry for entry in server.log if entry[0] <= first_at]
        samples.append({
            "ms": first_ms,
            "bytes": sum(n for _, _, n in before),
            "search_bytes": sum(n for _, p, n in before if is_search_path(p)),
            "session_search_bytes": sum(n for _, p, n in server.log if is_search_path(p)),
            "title": title,
        })
        context.close()
    keys = ("ms", "bytes", "search_bytes", "session_search_bytes")
    result = {key: statistics.median(s[key] for s in samples) for key in keys}
    result["title"] = samples[-1]["title"]
    return result


def measure_typed(browser, base_url: str, query: str, runs: int) -> dict:
    """As a person does it: open the page, type the query at once; navigation start -> first result."""
    samples = []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.add_init_script(FIRST_RESULT_PROBE)
        page.goto(base_url, wait_until="commit")
        # typed as soon as the search box answers keys (Material's bundle has started)
        page.wait_for_function("window.document$ !== undefined", timeout=60_000, polling=5)
        page.type(".md-search__input", query)
        page.wait_for_function("window.__firstResult !== undefined", timeout=180_000, polling=10)
        samples.append(page.evaluate("window.__firstResult"))
        context.close()
    return {"typed_ms": statistics.median(samples)}


def measure_ranking(browser, base_url: str, queries: list[dict], eiso: bool) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url)
    out = page.evaluate(WORKER_DRIVER, {"queries": [q["q"] for q in queries], "eiso": eiso})
    context.close()
    by_kind: dict[str, list[bool]] = {}
    misses = []
    for q, got in zip(queries, out["results"]):
        hit = got is not None and got.split("#")[0] == q["expected"]
        by_kind.setdefault(q["kind"], []).append(hit)
        if not hit:
            misses.append((q["kind"], q["q"], q["expected"], got))
    hits = sum(sum(v) for v in by_kind.values())
    return {
        "share": hits / len(queries),
        "by_kind": {k: sum(v) / len(v) for k, v in by_kind.items()},
        "setup_ms": out["setupMs"],
        "complete_ms": out["completeMs"],
        "query_ms": statistics.median(out["times"]),
        "misses": misses,
    }


def fmt_bytes(n: float) -> str:
    return f"{n / 1024 / 1024:.2f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=2000, help="number of procedures (default 2000)")
    parser.add_argument("--queries", type=int, default=60, help="size of the query set (default 60)")
    parser.add_argument("--runs", type=int, default=3, help="page loads per site for the timing (median)")
    parser.add_argument("--workdir", type=Path, help="keep the sites here (default: a temporary folder)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"JSONL of procedures (default {CORPUS})")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (scripts/ensure-chromium.sh)", file=sys.stderr)
        return 2

    work = args.workdir or Path(tempfile.mkdtemp(prefix="eiso-bench-"))
    records = load_records(args.limit, args.corpus)
    entries = entries_of(records)
    queries = make_queries(records, entries, args.queries)

    sites = {}
    for name, eiso in (("stock", False), ("eiso", True)):
        root = work / name
        if root.exists():
            shutil.rmtree(root)
        write_site_sources(root, records, eiso)
        seconds = mkdocs_build(root)
        print(f"mkdocs build ({name}, {len(records)} pages): {seconds:.1f} s", file=sys.stderr)
        sites[name] = root / "site"

    t0 = time.perf_counter()
    files = build_search_files(entries, lang="vi")
    build_seconds = time.perf_counter() - t0
    for rel, data in files.items():
        target = sites["eiso"] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    stock_index = (sites["stock"] / "search" / "search_index.json").read_bytes()

    from playwright.sync_api import sync_playwright

    results = {}
    servers = {name: serve(path) for name, path in sites.items()}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            first_query = queries[0]["q"]
            for name, server in servers.items():
                url = f"http://127.0.0.1:{server.server_address[1]}/"
                results[name] = measure_first_result(browser, url, server, first_query, args.runs)
                results[name].update(measure_typed(browser, url, first_query, args.runs))
                results[name].update(measure_ranking(browser, url, queries, eiso=name == "eiso"))
            browser.close()
    finally:
        for server in servers.values():
            server.shutdown()

    import gzip

    s, e = results["stock"], results["eiso"]
    docs = next(v for k, v in files.items() if k.endswith(".json.gz") and "eiso-docs" in k)
    titles = [v for k, v in files.items() if k.endswith(".json.gz") and "eiso-titles-" in k]
    bodies = [v for k, v in files.items() if k.endswith(".json.gz") and "eiso-bodies-" in k]
    excerpts = next((v for k, v in files.items() if k.endswith(".json.gz") and "eiso-excerpts" in k), b"")
    print()
    print(f"### Search benchmark: {len(records)} procedures, {len(queries)} queries (first: “{first_query}”)")
    print()
    print("| metric | stock Material | e-ISO | stock / e-ISO |")
    print("|---|---:|---:|---:|")
    print(f"| bytes fetched, page load → first result (all) | {fmt_bytes(s['bytes'])} | {fmt_bytes(e['bytes'])} | {ratio(s['bytes'], e['bytes'])} |")
    print(f"| … of which search (index, worker, lunr) | {fmt_bytes(s['search_bytes'])} | {fmt_bytes(e['search_bytes'])} | {ratio(s['search_bytes'], e['search_bytes'])} |")
    print(f"| search bytes of the whole page visit (e-ISO: + excerpts) | {fmt_bytes(s['session_search_bytes'])} | {fmt_bytes(e['session_search_bytes'])} | {ratio(s['session_search_bytes'], e['session_search_bytes'])} |")
    print(f"| time, page load → first result (median of {args.runs}) | {s['ms']:.0f} ms | {e['ms']:.0f} ms | {ratio(s['ms'], e['ms'])} |")
    print(f"| time, navigation → first result, query typed at once (median of {args.runs}) | {s['typed_ms']:.0f} ms | {e['typed_ms']:.0f} ms | {ratio(s['typed_ms'], e['typed_ms'])} |")
    print(f"| browser index setup (SETUP → READY) | {s['setup_ms']:.0f} ms | {e['setup_ms']:.0f} ms | {ratio(s['setup_ms'], e['setup_ms'])} |")
    print(f"| whole index loaded (e-ISO: every shard) | {s['complete_ms']:.0f} ms | {e['complete_ms']:.0f} ms | {ratio(s['complete_ms'], e['complete_ms'])} |")
    print(f"| median query time in the worker | {s['query_ms']:.1f} ms | {e['query_ms']:.1f} ms | {ratio(s['query_ms'], e['query_ms'])} |")
    for kind in ("accented", "unaccented", "code"):
        print(f"| expected procedure first: {kind} | {s['by_kind'].get(kind, 0):.0%} | {e['by_kind'].get(kind, 0):.0%} | |")
    print(f"| **expected procedure first: all** | **{s['share']:.0%}** | **{e['share']:.0%}** | |")
    print(f"| index build (e-ISO: Python, `build_search_files`) | in browser, each load | {build_seconds:.1f} s | |")
    print()
    print(f"Sizes: stock `search_index.json` {fmt_bytes(len(stock_index))} "
          f"(gzip -9: {fmt_bytes(len(gzip.compress(stock_index, 9)))}); e-ISO at start: docs file {fmt_bytes(len(docs))} gz + "
          f"{len(titles)} title shard(s) {fmt_bytes(sum(map(len, titles)))} gz; {len(bodies)} body shards "
          f"{fmt_bytes(sum(map(len, bodies)))} gz in all (a query fetches those of its words), "
          f"excerpts {fmt_bytes(len(excerpts))} gz (after the first answer). Server: http.server, no HTTP compression.")
    verdict = "met" if e["typed_ms"] <= TARGET_MS else "not met"
    print(f"Target: navigation → first result ≤ {TARGET_MS} ms on e-ISO: {verdict} ({e['typed_ms']:.0f} ms; "
          f"{ratio(s['typed_ms'], e['typed_ms'])} faster than stock Material in this run, same machine and load).")
    print(f"First result title: stock “{s['title']}”, e-ISO “{e['title']}”.")
    if args.show_misses:
        for name in ("stock", "eiso"):
            print(f"\nMisses ({name}):")
            for kind, q, expected, got in results[name]["misses"]:
                print(f"- [{kind}] {q!r}: expected {expected}, got {got}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
