/*
 * e-ISO search worker.
 *
 * Speaks Material for MkDocs' search worker protocol (SETUP=0, READY=1, QUERY=2,
 * RESULT=3), so Material's search box, result list, keyboard shortcuts and
 * highlighting stay as they are. Instead of indexing documents at page load, it
 * reads the prebuilt lunr index written by eiso.search (Python), cut so that a
 * query fetches only what it uses: the docs file at start (what results show,
 * field lengths, the table of term shards), then for each query the term shards
 * holding its words, then the excerpts.
 *
 * Ranking: function rank() is the twin of eiso/search/query.py.
 *
 * Security: every title, text and label is untrusted. Material inserts what this
 * worker returns as HTML, so everything goes through escapeHTML(); the only markup
 * added is <mark>. Locations must be site-relative.
 */
/* global lunr, eisoSearchPipeline, DecompressionStream */
"use strict"

var IN_WORKER = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope
/* built sites ship one file (lunr + pipeline + this); sources load the other two */
if (IN_WORKER && typeof lunr === "undefined") importScripts("lunr.min.js", "eiso-pipeline.js")

var P = eisoSearchPipeline
P.register(lunr)

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
var PART_WEIGHT = 0.5
var PREFIX_FACTOR = 0.7
var HEAD_FIELDS = ["title", "code"]
var BODY_FIELDS = ["text"]
var HEAD_FLOOR = 0.25
var PHRASE_FLOOR = 0.5
var MAX_EXPANSIONS = 300
var MAX_RESULTS = 50
var FORMAT = "eiso-search/2"
/* the set of term shards that holds a field */
var SET_OF = { title: "titles", bigram: "titles", accent: "titles", code: "titles", text: "bodies" }

var docs = null         /* the docs file, opened: {docs, lengths, sets, ...} */
var shards = {}         /* set -> array of opened term shards (undefined: not loaded) */
var loads = {}          /* file -> promise of its load */
var excerpts = null     /* array of strings, once loaded */
var missing = null      /* while ranking: [set, index] of the shards it lacked */
var lastQuery = null
var events = []
function mark(name) { events.push([name, Math.round(performance.timeOrigin + performance.now())]) }
mark("start")

/* ----------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

function base() {
  return new URL(".", self.location.href)
}

/* A JSON file of the index, gzip-compressed on the wire when the browser can inflate it.
 * Only names the build writes (search/eiso-<part>.<hash>.json): never another folder or host. */
var FILE_NAME = /^eiso-[a-z]+(-[0-9]+)?\.[0-9a-f]{12}\.json$/
async function fetchFile(name) {
  if (!FILE_NAME.test(String(name))) throw new Error("e-ISO search: unexpected index file " + name)
  mark("fetch " + name)
  var inflate = typeof DecompressionStream !== "undefined"
  var url = new URL(inflate ? name + ".gz" : name, base())
  var res = await fetch(url, { credentials: "same-origin" })
  if (!res.ok) throw new Error("e-ISO search: " + url + " " + res.status)
  /* a server that declared the gzip layer (Content-Encoding) has already removed it */
  var data = inflate && !/gzip/i.test(res.headers.get("Content-Encoding") || "")
    ? await new Response(res.body.pipeThrough(new DecompressionStream("gzip"))).json()
    : await res.json()
  checkFormat(data)
  mark("got " + name)
  return data
}

/*
 * Term shards back to lunr's index. Rows: per field, per term, the documents (delta
 * coded, "-tf" before a document where the term occurs tf > 1 times). Weights come
 * from lunr's own BM25 formula (Builder#createFieldVectors) with the field lengths
 * of the docs file, rounded as lunr rounds them; the Python side checks that they
 * equal lunr.py's field vectors.
 *
 * - decodeShards(docs, shards): lunr's serialised form of one set, as
 *   lunr.Index.load reads it (tests; lunrIndex below);
 * - openShard(shard): what the ranking reads, i.e. the same weights as per-term
 *   posting arrays (one pass over typed arrays).
 */
function idf(df, n) {
  return Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)))
}

function checkFormat(file) {
  if (!file || file.format !== FORMAT) throw new Error("e-ISO search: unknown index format " + (file && file.format))
}

function weight(idf, tf, length, avg, k1, b, boost) {
  var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / avg)) + tf) * boost
  return Math.round(score * 1000) / 1000
}

/* Calls visit(termIndex, ref, tf) for each posting of a field's rows */
function eachPosting(rows, visit) {
  for (var ti = 0; ti < rows.length; ti++) {
    var row = rows[ti], ref = 0, tf = 1
    for (var i = 0; i < row.length; i++) {
      var v = row[i]
      if (v < 0) { tf = -v; continue }
      ref += v
      visit(ti, ref, tf)
      tf = 1
    }
  }
}

function decodeShards(d, list) {
  checkFormat(d)
  var fields = list.length ? list[0].fields : [], terms = [], dfs = [], n = d.n
  list.forEach(function (shard) { checkFormat(shard); terms = terms.concat(shard.terms); dfs = dfs.concat(shard.df) })
  var postings = terms.map(function (term, t) {
    var posting = { _index: t }
    fields.forEach(function (f) { posting[f] = {} })
    return posting
  })
  var vectors = []
  fields.forEach(function (name) {
    var rows = [], elements = []
    list.forEach(function (shard) { rows = rows.concat(shard.rows[name]) })
    for (var r = 0; r < n; r++) elements.push([])
    eachPosting(rows, function (ti, ref, tf) {
      elements[ref].push(ti, weight(idf(dfs[ti], n), tf, d.lengths[name][ref], d.avg[name], d.k1, d.b, d.boosts[name]))
      postings[ti][name][ref] = {}
    })
    for (var ref = 0; ref < n; ref++) vectors.push([name + "/" + ref, elements[ref]])
  })
  return {
    version: d.lunr,
    fields: fields,
    fieldVectors: vectors,
    invertedIndex: terms.map(function (term, i) { return [term, postings[i]] }),
    pipeline: d.pipeline
  }
}

function openShard(shard) {
  checkFormat(shard)
  var n = docs.n, fields = {}
  shard.fields.forEach(function (name) {
    var rows = shard.rows[name], offsets = postingOffsets(rows), at = 0
    var count = offsets[rows.length]
    var refs = new Int32Array(count), weights = new Float64Array(count)
    var lengths = docs.lengths[name], avg = docs.avg[name], boost = docs.boosts[name]
    eachPosting(rows, function (ti, ref, tf) {
      refs[at] = ref
      weights[at] = weight(idf(shard.df[ti], n), tf, lengths[ref], avg, docs.k1, docs.b, boost)
      at++
    })
    fields[name] = { offsets: offsets, refs: refs, weights: weights }
  })
  return { terms: shard.terms, fields: fields }
}

/* Where each term's postings start in the field's flat arrays */
function postingOffsets(rows) {
  var offsets = new Int32Array(rows.length + 1), at = 0
  for (var ti = 0; ti < rows.length; ti++) {
    offsets[ti] = at
    var row = rows[ti]
    for (var i = 0; i < row.length; i++) if (row[i] >= 0) at++
  }
  offsets[rows.length] = at
  return offsets
}

var SCHEME = /^[a-z][a-z0-9+.\-]*:/i
function safeLocation(location) {
  location = String(location)
  if (SCHEME.test(location) || /^[\/\\]/.test(location) || /[\s<>"'`\\]/.test(location))
    return null
  return location
}

function openDocs(file) {
  checkFormat(file)
  var lengths = {}
  Object.keys(file.lengths).forEach(function (name) { lengths[name] = Float64Array.from(file.lengths[name]) })
  return {
    n: file.n, k1: file.k1, b: file.b, avg: file.avg, boosts: file.boosts, lengths: lengths,
    pipeline: lunr.Pipeline.load(file.pipeline),
    sets: file.sets, excerpts: file.excerpts,
    docs: file.docs.map(function (d) {
      return { location: safeLocation(d[0]), title: String(d[1]), chips: (d[2] || []).map(String) }
    })
  }
}

async function loadDocs(names) {
  var file = await fetchFile(names.json)
  mark("docs fetched")
  docs = openDocs(file)
  shards = {}
  Object.keys(docs.sets).forEach(function (set) { shards[set] = [] })
}

/* One request per file and index; use(data) runs unless a newer index replaced this one
 * meanwhile, with null when the file failed (reported in the console) */
function loadOnce(file, use) {
  var opened = docs
  if (!loads[file])
    loads[file] = fetchFile(file).then(function (data) {
      if (docs === opened) use(data)
    }, function (err) {
      console.warn(err)
      if (docs === opened) use(null)
    })
  return loads[file]
}

/* Loads the term shards the last ranking lacked; a shard that fails stays empty */
function loadShards(wanted) {
  return Promise.all(wanted.map(function (w) {
    var set = w[0], i = w[1]
    return loadOnce(docs.sets[set].files[i], function (shard) {
      shards[set][i] = shard ? openShard(shard) : { terms: [], fields: {} }
    })
  }))
}

function loadExcerpts() {
  if (!docs || !docs.excerpts) return Promise.resolve()
  return loadOnce(docs.excerpts, function (data) {
    if (!data) return
    excerpts = data.excerpts.map(String)
    /* results shown meanwhile gain their excerpts */
    if (lastQuery !== null && pending === null && !answering) ask(lastQuery)
  })
}

function allShards() {
  var wanted = []
  Object.keys(docs.sets).forEach(function (set) {
    docs.sets[set].files.forEach(function (_, i) { wanted.push([set, i]) })
  })
  return wanted
}

function loadEverything() {
  return Promise.all([loadShards(allShards()), loadExcerpts()])
}

/*
 * Warming: the titles load with the docs file; after the first answer to a search (a
 * page visited without one never downloads page bodies), the rest of the index loads
 * in the background, a few files at a time (the worker stays free to answer between
 * two), the excerpts first, then the bodies, so that later keystrokes find their
 * shards loaded. A query never waits for this queue: the shards it lacks are requested
 * at once. Not with the browser's data saver on (then only what a query needs).
 */
var WARM_CONCURRENCY = 2
var WARM_DELAY_MS = 300
var warmed = false
function saveData() {
  return !!(self.navigator && navigator.connection && navigator.connection.saveData)
}

function warm() {
  var opened = docs
  if (!opened || saveData()) return
  var queue = allShards().filter(function (w) { return w[0] === "titles" })
  queue.push("excerpts")
  queue = queue.concat(allShards().filter(function (w) { return w[0] !== "titles" }))
  function next() {
    var item = queue.shift()
    if (docs !== opened || item === undefined) return
    return (item === "excerpts" ? loadExcerpts() : loadShards([item])).then(next)
  }
  for (var k = 0; k < WARM_CONCURRENCY; k++) next()
}

/* ----------------------------------------------------------------------------
 * Ranking (twin of eiso/search/query.py)
 * ------------------------------------------------------------------------- */

function pipelineTerm(raw, fields) {
  var out = docs.pipeline.runString(raw, { fields: fields })
  return out.length ? out[0] : ""
}

/* First position in sorted terms whose term is >= value (JavaScript string order) */
function lowerBound(terms, value) {
  var lo = 0, hi = terms.length
  while (lo < hi) {
    var mid = (lo + hi) >> 1
    if (terms[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/* First position in sorted terms whose term is > value */
function upperBound(terms, value) {
  var lo = 0, hi = terms.length
  while (lo < hi) {
    var mid = (lo + hi) >> 1
    if (terms[mid] <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function termIndex(shard, term) {
  var i = lowerBound(shard.terms, term)
  return i < shard.terms.length && shard.terms[i] === term ? i : -1
}

/* Term shard i of a set, or null when it is not loaded yet (then noted as missing) */
function shardAt(set, i) {
  var got = shards[set] && shards[set][i]
  if (!got && missing) missing.push([set, i])
  return got || null
}

/* ref -> weight of term in field */
function postings(term, field) {
  var result = new Map(), set = SET_OF[field]
  if (!docs || !docs.sets[set]) return result
  var i = upperBound(docs.sets[set].firsts, term) - 1
  var shard = i < 0 ? null : shardAt(set, i)
  if (!shard || !shard.fields[field]) return result
  var ti = termIndex(shard, term)
  if (ti < 0) return result
  var f = shard.fields[field]
  for (var at = f.offsets[ti]; at < f.offsets[ti + 1]; at++) result.set(f.refs[at], f.weights[at])
  return result
}

function add(target, scores, factor) {
  factor = factor === undefined ? 1 : factor
  scores.forEach(function (value, ref) {
    target.set(ref, (target.get(ref) || 0) + value * factor)
  })
}

function fieldsScore(raw, fields) {
  var scores = new Map()
  fields.forEach(function (name) {
    var term = pipelineTerm(raw, [name])
    if (term) add(scores, postings(term, name))
  })
  return scores
}

/* Index terms starting with prefix that occur in one of fields; the shards holding
 * them are consecutive: the one where prefix would be, then those whose first term
 * starts with prefix */
function expand(prefix, fields) {
  var found = new Set()
  fields.forEach(function (name) {
    var set = SET_OF[name]
    if (!docs || !docs.sets[set]) return
    var firsts = docs.sets[set].firsts, first = Math.max(0, upperBound(firsts, prefix) - 1)
    for (var k = first; k < firsts.length && (k === first || firsts[k].startsWith(prefix)); k++) {
      var shard = shardAt(set, k)
      if (!shard || !shard.fields[name]) continue
      var terms = shard.terms, f = shard.fields[name]
      for (var i = lowerBound(terms, prefix); i < terms.length && terms[i].startsWith(prefix); i++)
        if (f.offsets[i + 1] > f.offsets[i]) found.add(terms[i])
    }
  })
  return Array.from(found).sort(codePointCompare).slice(0, MAX_EXPANSIONS)
}

function codePointCompare(a, b) {
  var x = Array.from(a), y = Array.from(b)
  for (var i = 0; i < Math.min(x.length, y.length); i++) {
    var p = x[i].codePointAt(0), q = y[i].codePointAt(0)
    if (p !== q) return p - q
  }
  return x.length - y.length
}

function prefixScore(raw, fields) {
  var best = new Map()
  var prefix = pipelineTerm(raw, fields)
  if (!prefix) return best
  expand(prefix, fields).forEach(function (expansion) {
    if (expansion === prefix) return
    var scores = new Map()
    fields.forEach(function (name) { add(scores, postings(expansion, name)) })
    scores.forEach(function (value, ref) {
      if (value > (best.get(ref) || 0)) best.set(ref, value)
    })
  })
  return best
}

function plan(query) {
  var comps = P.compounds(query)
  var normalized = P.normalize(query)
  var typing = comps.length > 0 && normalized.endsWith(comps[comps.length - 1])
  var words = comps.map(function (compound, i) {
    var tokens = P.compoundTokens(compound)
    return { whole: tokens[0], parts: tokens.slice(1), prefix: typing && i === comps.length - 1 }
  })
  var bigrams = []
  for (var i = 1; i < comps.length; i++)
    bigrams.push({ term: comps[i - 1] + P.BIGRAM_JOINER + comps[i], prefix: words[i].prefix })
  return { words: words, bigrams: bigrams }
}

/* Score of one word unit in a group of fields (exact + parts, or the best prefix), and the
 * documents that contain the unit (its whole compound, a prefix expansion, or all its parts) */
function unitScores(unit, fields) {
  var scores = fieldsScore(unit.whole, fields)
  var holders = new Set()
  scores.forEach(function (value, ref) { if (value > 0) holders.add(ref) })
  if (unit.parts.length) {
    var parts = new Map(), every = null
    unit.parts.forEach(function (part) {
      var partScores = fieldsScore(part, fields), found = new Set()
      add(parts, partScores)
      partScores.forEach(function (value, ref) { if (value > 0 && (every === null || every.has(ref))) found.add(ref) })
      every = found
    })
    add(scores, parts, PART_WEIGHT / unit.parts.length)
    if (every) every.forEach(function (ref) { holders.add(ref) })
  }
  if (unit.prefix && (Array.from(unit.whole).length >= 3 || fields.indexOf("text") < 0))
    prefixScore(unit.whole, fields).forEach(function (value, ref) {
      scores.set(ref, Math.max(scores.get(ref) || 0, PREFIX_FACTOR * value))
      if (value > 0) holders.add(ref)
    })
  return { scores: scores, holders: holders }
}

/* The documents holding every word unit of the query, best first; or, when there is
 * none, those holding some of them, with fallback true (twin of query.search) */
function rank(query) {
  var p = plan(query)
  if (!p.words.length || !docs) return { plan: p, ranked: [], found: new Map(), fallback: false }
  var total = new Map()
  var found = new Map()   /* ref -> Set of word indexes found */
  var inHead = new Map()  /* ref -> number of words found in title or codes */
  p.words.forEach(function (unit, u) {
    var headUnit = unitScores(unit, HEAD_FIELDS), head = headUnit.scores
    if (P.hasAccents(unit.whole)) add(head, fieldsScore(unit.whole, ["accent"]))
    var bodyUnit = unitScores(unit, BODY_FIELDS), body = bodyUnit.scores
    var refs = new Set(head.keys())
    body.forEach(function (_, ref) { refs.add(ref) })
    refs.forEach(function (ref) {
      var h = head.get(ref) || 0, b = body.get(ref) || 0
      if (h + b > 0) {
        total.set(ref, (total.get(ref) || 0) + h + b)
        if (headUnit.holders.has(ref) || bodyUnit.holders.has(ref)) {
          if (!found.has(ref)) found.set(ref, new Set())
          found.get(ref).add(u)
        }
        if (h > 0) inHead.set(ref, (inHead.get(ref) || 0) + 1)
      }
    })
  })
  var complete = 0
  found.forEach(function (words) { if (words.size === p.words.length) complete++ })
  var fallback = complete === 0
  total.forEach(function (_, ref) {
    var words = found.get(ref)
    if (!words || (!fallback && words.size !== p.words.length)) total.delete(ref)
  })
  /* When the title or codes of some documents hold every word unit, only those are results */
  var inTitles = 0
  total.forEach(function (_, ref) { if ((inHead.get(ref) || 0) === p.words.length) inTitles++ })
  if (inTitles)
    total.forEach(function (_, ref) { if ((inHead.get(ref) || 0) !== p.words.length) total.delete(ref) })
  var inOrder = new Map()  /* ref -> number of query word pairs found in the title */
  p.bigrams.forEach(function (bigram) {
    var scores = fieldsScore(bigram.term, ["bigram"])
    if (bigram.prefix)
      prefixScore(bigram.term, ["bigram"]).forEach(function (value, ref) {
        scores.set(ref, Math.max(scores.get(ref) || 0, PREFIX_FACTOR * value))
      })
    scores.forEach(function (value, ref) {
      if (total.has(ref) && value > 0) {
        total.set(ref, total.get(ref) + value)
        inOrder.set(ref, (inOrder.get(ref) || 0) + 1)
      }
    })
  })
  var n = p.words.length, pairs = p.bigrams.length
  var ranked = []
  total.forEach(function (score, ref) {
    var share = found.get(ref).size / n
    var head = HEAD_FLOOR + (1 - HEAD_FLOOR) * (inHead.get(ref) || 0) / n
    var phrase = pairs ? PHRASE_FLOOR + (1 - PHRASE_FLOOR) * (inOrder.get(ref) || 0) / pairs : 1
    var factor = share * head * phrase
    ranked.push([ref, score * factor * factor])
  })
  ranked.sort(function (a, b) {
    var x = Math.round(a[1] * 1e6), y = Math.round(b[1] * 1e6)
    if (x !== y) return y - x
    return a[0] - b[0]
  })
  return { plan: p, ranked: ranked.slice(0, MAX_RESULTS), found: found, fallback: fallback }
}

/* ----------------------------------------------------------------------------
 * Rendering (everything escaped; <mark> is the only markup added)
 * ------------------------------------------------------------------------- */

var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }
function escapeHTML(value) {
  return String(value).replace(/[&<>"']/g, function (c) { return ESCAPES[c] })
}

var WORDS = /[\p{L}\p{M}\p{N}]+(?:[.\/\-][\p{L}\p{M}\p{N}]+)*/gu
var ATOM = /[\p{L}\p{M}\p{N}]+/gu

function matcher(p) {
  var exact = new Set(), prefixes = []
  p.words.forEach(function (unit) {
    exact.add(P.fold(unit.whole))
    unit.parts.forEach(function (part) { if (Array.from(part).length > 1) exact.add(P.fold(part)) })
    if (unit.prefix) prefixes.push(P.fold(unit.whole))
  })
  return function (raw) {
    var term = P.fold(P.normalize(raw))
    if (exact.has(term)) return true
    for (var i = 0; i < prefixes.length; i++)
      if (term.startsWith(prefixes[i])) return true
    return false
  }
}

/* Escaped text with <mark> around matching words; collects the words marked */
function highlight(value, matches, marked) {
  value = String(value)
  var out = "", last = 0, m
  WORDS.lastIndex = 0
  while ((m = WORDS.exec(value)) !== null) {
    var start = m.index, word = m[0]
    out += escapeHTML(value.slice(last, start))
    if (matches(word)) {
      out += "<mark>" + escapeHTML(word) + "</mark>"
      if (marked) marked.add(P.normalize(word))
    } else {
      var inner = "", at = 0, a
      ATOM.lastIndex = 0
      while ((a = ATOM.exec(word)) !== null) {
        inner += escapeHTML(word.slice(at, a.index))
        if (matches(a[0])) {
          inner += "<mark>" + escapeHTML(a[0]) + "</mark>"
          if (marked) marked.add(P.normalize(a[0]))
        } else {
          inner += escapeHTML(a[0])
        }
        at = a.index + a[0].length
      }
      out += inner + escapeHTML(word.slice(at))
    }
    last = start + word.length
  }
  return out + escapeHTML(value.slice(last))
}

function search(query) {
  var result = rank(query)
  var p = result.plan
  var matches = matcher(p)
  var items = []
  result.ranked.forEach(function (entry) {
    var ref = entry[0], doc = docs.docs[ref]
    if (!doc || doc.location === null) return
    var marked = new Set()
    var title = highlight(doc.title, matches, marked)
    var excerpt = excerpts ? excerpts[ref] || "" : ""
    /* Material strikes out the words a result lacks ("Không: ~~sinh~~"): a result holds
     * every word, and in the fallback the page says that results are approximate. */
    var terms = Object.create(null)
    marked.forEach(function (word) { terms[word] = true })
    var item = {
      location: doc.location,
      title: title,
      text: excerpt ? highlight(excerpt, matches) : "",
      score: entry[1],
      terms: terms
    }
    if (doc.chips.length) item.tags = doc.chips.map(escapeHTML)
    items.push([item])
  })
  return { items: items, fallback: result.fallback && items.length > 0 }
}

/* search(query) once the term shards it uses are loaded: ranking notes the shards it
 * lacks, they load, and it ranks again (a second round finds them all: which shards a
 * query reads depends on its words only) */
function searchLoaded(query, early, rounds) {
  rounds = rounds || 0
  missing = []
  var data
  try { data = search(query) } finally { var wanted = missing; missing = null }
  if (!wanted.length || rounds >= 4) return Promise.resolve(data)
  var seen = {}
  wanted = wanted.filter(function (w) { var key = w.join("/"); return seen[key] ? false : (seen[key] = true) })
  /* Titles alone already give results holding every word: show them now (early), the
   * page bodies' matches follow. Never an approximate answer that the bodies may undo. */
  if (early && !data.fallback && data.items.length && wanted.every(function (w) { return w[0] === "bodies" })) {
    early(data)
    early = null
  }
  return loadShards(wanted).then(function () { return searchLoaded(query, early, rounds + 1) })
}

/* Results, preceded by whether they are the fallback (for the page: eiso.js shows the label) */
function post(data) {
  postMessage({ type: "eiso:fallback", data: data.fallback })
  postMessage({ type: RESULT, data: data })
}

/* ----------------------------------------------------------------------------
 * Protocol
 * ------------------------------------------------------------------------- */

/*
 * Start-up. The page (overrides/partials/eiso-search-start.html) creates this worker
 * early, in <head>, so it fetches the docs file while the page is still loading;
 * Material's bundle later adopts the worker and sends SETUP, answered with READY as
 * soon as the docs file is open. Queries are answered one at a time, the latest
 * first: while one waits for its shards, newer keystrokes replace the waiting one.
 * The titles load with the docs file, so a first answer rarely waits for a request.
 */
var boot = null       /* docs file loading, started with the worker */
var ready = null      /* settles when READY may be sent */
var loadedDocs = null /* name of the docs file in use */
var pending = null    /* the latest query not answered yet */
var prefetched = null /* {query, answer}: a deep link's answer, computed before Material asks */
var answering = false

/*
 * A deep link (?q=): the page's start script names the query in this worker's URL
 * (#q=…), so the shards it needs load with the docs file, while Material's bundle is
 * still starting; Material's own QUERY for it then takes this answer (or waits for it).
 */
function prefetch(query) {
  mark("prefetch")
  prefetched = {
    query: query,
    answer: Promise.resolve(boot).then(function () {
      var opened = docs
      return searchLoaded(query).then(function (data) { return { docs: opened, excerpts: excerpts, data: data } })
    }).catch(function () { return null })  /* Material's query then asks again, and reports */
  }
}

function linkedQuery() {
  try { return new URLSearchParams(String(self.location.hash).slice(1)).get("q") } catch (e) { return null }
}

function hasIndex(config) {
  return !!(config && config.eiso && config.eiso.format === 2 && config.eiso.docs)
}

/* The built worker starts with `self.EISO_SEARCH = {docs: ...}` (see build_search_files) */
function embeddedConfig() {
  return typeof self.EISO_SEARCH === "object" && self.EISO_SEARCH ? { eiso: self.EISO_SEARCH } : null
}

function readConfig() {
  return fetch(new URL("search_index.json", base()), { credentials: "same-origin" })
    .then(function (res) {
      if (!res.ok) throw new Error("e-ISO search: search_index.json " + res.status)
      return res.json()
    })
    .then(function (data) { return data.config })
}

function start(config) {
  if (!hasIndex(config))
    return Promise.reject(new Error("e-ISO search: search_index.json has no e-ISO index " +
      "(was it written before Material's search plugin wrote its own?)"))
  loadedDocs = config.eiso.docs.json
  excerpts = null
  loads = {}
  return loadDocs(config.eiso.docs).then(function () {
    /* the titles, in the background: most first answers need nothing else (see searchLoaded) */
    if (!saveData()) loadShards(allShards().filter(function (w) { return w[0] === "titles" }))
  })
}

function ask(query) {
  pending = String(query)
  if (!answering) drain()
}

function drain() {
  answering = true
  var query = pending
  pending = null
  lastQuery = query
  Promise.resolve(ready).then(function () {
    var known = prefetched && prefetched.query === query ? prefetched : null
    if (!known) return searchLoaded(query, post)
    prefetched = null  /* used once: later answers gain excerpts */
    return known.answer.then(function (got) {
      return got && got.docs === docs && got.excerpts === excerpts ? got.data : searchLoaded(query, post)
    })
  }).then(post, function (err) {
    console.warn("e-ISO search: query failed", err)
    postMessage({ type: RESULT, data: { items: [] } })
  }).then(function () {
    mark("result")
    answering = false
    if (pending !== null) drain()
    else if (!warmed && plan(query).words.length) {   /* after the first answer to a real query */
      warmed = true
      setTimeout(warm, WARM_DELAY_MS)
    }
  })
}

function onMessage(ev) {
  var message = ev.data
  mark("message:" + message.type)
  switch (message.type) {
    case SETUP:
      var given = message.data && message.data.config
      ready = (boot || Promise.reject(new Error("no early start"))).then(function () {
        /* a worker file from an older build (browser cache) names an older docs file */
        if (hasIndex(given) && given.eiso.docs.json !== loadedDocs) return start(given)
      }, function () {
        return start(given)   /* early start failed: use what Material sent */
      })
      ready.then(function () {
        mark("ready")
        postMessage({ type: READY })
      }, function (err) {
        console.warn(err)
        postMessage({ type: READY })
      })
      break
    case QUERY:
      ask(message.data)
      break
    /* e-ISO extension (tests, benchmark): answers once the whole index is loaded */
    case "eiso:complete":
      Promise.resolve(ready).then(loadEverything).then(function () {
        var loaded = 0
        Object.keys(shards).forEach(function (set) { shards[set].forEach(function (s) { if (s) loaded++ }) })
        postMessage({ type: "eiso:complete", data: { docs: !!docs, shards: loaded, excerpts: !!excerpts, events: events } })
      })
      break
    default:
      break
  }
}

if (IN_WORKER) boot = embeddedConfig() ? start(embeddedConfig()) : readConfig().then(start)
if (IN_WORKER && boot) boot.catch(function () { /* reported when SETUP arrives */ })
if (IN_WORKER && linkedQuery()) prefetch(linkedQuery())
if (IN_WORKER) addEventListener("message", onMessage)

/* For tests: the same functions, callable from a page that loads this file after
 * lunr.min.js and eiso-pipeline.js. */
var given = null  /* the files handed to use() */
self.eisoSearchWorker = {
  decodeShards: decodeShards,
  rank: rank,
  search: search,
  plan: plan,
  escapeHTML: escapeHTML,
  /* the whole index at once: the docs file, per set its term shards, the excerpts */
  use: function (docsFile, shardsBySet, excerptsFile) {
    docs = openDocs(docsFile)
    shards = {}
    Object.keys(docs.sets).forEach(function (set) {
      shards[set] = (shardsBySet[set] || []).map(openShard)
    })
    excerpts = excerptsFile ? excerptsFile.excerpts.map(String) : null
    given = { docs: docsFile, shards: shardsBySet }
  },
  /* the lunr.Index of a set ("titles" or "bodies") of the loaded shards, for lunr's own query API */
  lunrIndex: function (set) {
    return lunr.Index.load(decodeShards(given.docs, given.shards[set] || []))
  }
}
