/*
 * e-ISO search worker.
 *
 * Speaks Material for MkDocs' search worker protocol (SETUP=0, READY=1, QUERY=2,
 * RESULT=3), so Material's search box, result list, keyboard shortcuts and
 * highlighting stay as they are. Instead of indexing documents at page load, it
 * loads the prebuilt lunr index written by eiso.search (Python): the "core" shard
 * (titles, bigrams, accents, codes) first, the "text" shard (page bodies) next.
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
var CORE_FORMAT = "eiso-search-shard/1"

var core = null         /* {index, docs} */
var text = null         /* {index, excerpts} */
var lastQuery = null
var timings = {}
var events = []
function mark(name) { events.push([name, Math.round(performance.timeOrigin + performance.now())]) }
mark("start")

/* ----------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

function base() {
  return new URL(".", self.location.href)
}

async function fetchShard(names) {
  var t0 = Date.now()
  var data
  if (typeof DecompressionStream !== "undefined") {
    var url = new URL(names.gz, base())
    var res = await fetch(url, { credentials: "same-origin" })
    if (!res.ok) throw new Error("e-ISO search: " + url + " " + res.status)
    if (/gzip/i.test(res.headers.get("Content-Encoding") || ""))
      data = await res.json()   /* the server declared the gzip layer: already removed */
    else
      data = await new Response(res.body.pipeThrough(new DecompressionStream("gzip"))).json()
  } else {
    var plainURL = new URL(names.json, base())
    var plain = await fetch(plainURL, { credentials: "same-origin" })
    if (!plain.ok) throw new Error("e-ISO search: " + plainURL + " " + plain.status)
    data = await plain.json()
  }
  timings[names.json] = Date.now() - t0
  return data
}

/*
 * A shard back to its lunr index. Rows: per field, per term, the documents (delta
 * coded, "-tf" before a document where the term occurs tf > 1 times). Weights come
 * from lunr's own BM25 formula (Builder#createFieldVectors), rounded as lunr
 * rounds them; the Python side checks that they equal lunr.py's field vectors.
 *
 * - decodeShard(shard): lunr's serialised form, as lunr.Index.load reads it;
 * - openShard(shard): what the ranking reads, i.e. the same weights as
 *   compressed per-term posting arrays (one pass over typed arrays: fast enough
 *   for the first result), plus `index`, the lunr.Index itself, which calls
 *   lunr.Index.load(decodeShard(shard)) on first use of its inverted index, field
 *   vectors or token set (lunr's own query API); its pipeline is loaded at once,
 *   which fails unless eiso-normalize and eiso-fold are registered.
 */
function idfs(shard) {
  var n = shard.n
  return shard.df.map(function (df) {
    return Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)))
  })
}

function checkFormat(shard) {
  if (shard.format !== CORE_FORMAT) throw new Error("e-ISO search: unknown index format " + shard.format)
}

/* Field lengths (sum of tf) per document, and the number of postings */
function measure(rows, n) {
  var lengths = new Float64Array(n), count = 0
  for (var ti = 0; ti < rows.length; ti++) {
    var row = rows[ti], ref = 0, tf = 1
    for (var i = 0; i < row.length; i++) {
      var v = row[i]
      if (v < 0) { tf = -v; continue }
      ref += v
      lengths[ref] += tf
      count++
      tf = 1
    }
  }
  return { lengths: lengths, count: count }
}

function weight(idf, tf, length, avg, k1, b, boost) {
  var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / avg)) + tf) * boost
  return Math.round(score * 1000) / 1000
}

function decodeShard(shard) {
  checkFormat(shard)
  var fields = shard.fields, terms = shard.terms, n = shard.n, idf = idfs(shard)
  var postings = terms.map(function (term, t) {
    var posting = { _index: t }
    fields.forEach(function (f) { posting[f] = {} })
    return posting
  })
  var vectors = []
  fields.forEach(function (name) {
    var rows = shard.rows[name], m = measure(rows, n)
    var elements = []
    for (var d = 0; d < n; d++) elements.push([])
    for (var ti = 0; ti < rows.length; ti++) {
      var row = rows[ti], ref = 0, tf = 1
      for (var i = 0; i < row.length; i++) {
        var v = row[i]
        if (v < 0) { tf = -v; continue }
        ref += v
        elements[ref].push(ti, weight(idf[ti], tf, m.lengths[ref], shard.avg[name], shard.k1, shard.b, shard.boosts[name]))
        postings[ti][name][ref] = {}
        tf = 1
      }
    }
    for (var r = 0; r < n; r++) vectors.push([name + "/" + r, elements[r]])
  })
  return {
    version: shard.lunr,
    fields: fields,
    fieldVectors: vectors,
    invertedIndex: terms.map(function (term, i) { return [term, postings[i]] }),
    pipeline: shard.pipeline
  }
}

function openShard(shard) {
  var t0 = Date.now()
  checkFormat(shard)
  if (shard.lunr !== lunr.version)
    console.warn("e-ISO search: index made for lunr " + shard.lunr + ", running lunr " + lunr.version)
  var n = shard.n, idf = idfs(shard), fields = {}
  shard.fields.forEach(function (name) {
    var rows = shard.rows[name], m = measure(rows, n)
    var offsets = new Int32Array(rows.length + 1)
    var refs = new Int32Array(m.count), weights = new Float64Array(m.count)
    var avg = shard.avg[name], boost = shard.boosts[name], k1 = shard.k1, b = shard.b, at = 0
    for (var ti = 0; ti < rows.length; ti++) {
      offsets[ti] = at
      var row = rows[ti], ref = 0, tf = 1, w = idf[ti]
      for (var i = 0; i < row.length; i++) {
        var v = row[i]
        if (v < 0) { tf = -v; continue }
        ref += v
        refs[at] = ref
        weights[at] = weight(w, tf, m.lengths[ref], avg, k1, b, boost)
        at++
        tf = 1
      }
    }
    offsets[rows.length] = at
    fields[name] = { offsets: offsets, refs: refs, weights: weights }
  })
  var index = new lunr.Index({
    invertedIndex: null,
    fieldVectors: null,
    tokenSet: null,
    fields: shard.fields,
    pipeline: lunr.Pipeline.load(shard.pipeline)
  })
  var loaded = null
  ;["invertedIndex", "fieldVectors", "tokenSet"].forEach(function (key) {
    Object.defineProperty(index, key, {
      get: function () { return (loaded || (loaded = lunr.Index.load(decodeShard(shard))))[key] }
    })
  })
  timings["open:" + shard.fields.join("+")] = Date.now() - t0
  return { terms: shard.terms, fields: fields, index: index }
}

var SCHEME = /^[a-z][a-z0-9+.\-]*:/i
function safeLocation(location) {
  location = String(location)
  if (SCHEME.test(location) || /^[\/\\]/.test(location) || /[\s<>"'`\\]/.test(location))
    return null
  return location
}

function makeCore(shard) {
  var opened = openShard(shard)
  opened.docs = shard.docs.map(function (d) {
    return { location: safeLocation(d[0]), title: String(d[1]), chips: (d[2] || []).map(String) }
  })
  return opened
}

function makeText(shard) {
  var opened = openShard(shard)
  opened.excerpts = shard.excerpts.map(String)
  return opened
}

async function loadCore(config) {
  var t0 = Date.now()
  var shard = await fetchShard(config.eiso.shards.core)
  mark("core fetched")
  core = makeCore(shard)
  timings.core = Date.now() - t0
}

async function loadText(config) {
  var t0 = Date.now()
  var shard = await fetchShard(config.eiso.shards.text)
  if (config !== textConfig) return   /* superseded by a newer index meanwhile */
  text = makeText(shard)
  timings.text = Date.now() - t0
}

/* ----------------------------------------------------------------------------
 * Ranking (twin of eiso/search/query.py)
 * ------------------------------------------------------------------------- */

function shardFor(field) {
  if (field === "text") return text
  return core
}

function pipelineTerm(raw, fields) {
  var out = core.index.pipeline.runString(raw, { fields: fields })
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

function termIndex(shard, term) {
  var i = lowerBound(shard.terms, term)
  return i < shard.terms.length && shard.terms[i] === term ? i : -1
}

/* ref -> weight of term in field */
function postings(term, field) {
  var result = new Map(), shard = shardFor(field)
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

/* Index terms starting with prefix that occur in one of fields */
function expand(prefix, fields) {
  var found = new Set()
  fields.forEach(function (name) {
    var shard = shardFor(name)
    if (!shard || !shard.fields[name]) return
    var terms = shard.terms, f = shard.fields[name]
    for (var i = lowerBound(terms, prefix); i < terms.length && terms[i].startsWith(prefix); i++)
      if (f.offsets[i + 1] > f.offsets[i]) found.add(terms[i])
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
  if (!p.words.length || !core) return { plan: p, ranked: [], found: new Map(), fallback: false }
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
    var ref = entry[0], doc = core.docs[ref]
    if (!doc || doc.location === null) return
    var marked = new Set()
    var title = highlight(doc.title, matches, marked)
    var excerpt = text ? text.excerpts[ref] || "" : ""
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

/* Results, preceded by whether they are the fallback (for the page: eiso.js shows the label) */
function answer(query) {
  var data = search(query)
  postMessage({ type: "eiso:fallback", data: data.fallback })
  postMessage({ type: RESULT, data: data })
}

/* ----------------------------------------------------------------------------
 * Protocol
 * ------------------------------------------------------------------------- */

/*
 * Start-up. The page (overrides/partials/search.html) creates this worker early,
 * in the header, so it fetches search_index.json and the core shard while the
 * page is still loading; Material's bundle later adopts the worker and sends
 * SETUP, answered with READY as soon as the core shard is open. The text shard
 * follows shortly after the first answer (or after the core shard, whichever is
 * first), so that it never delays the first results.
 */
var TEXT_DELAY_MS = 300
var boot = null       /* core shard loading, started with the worker */
var ready = null      /* settles when READY may be sent */
var complete = null   /* settles when the text shard is loaded (or failed) */
var textConfig = null
var textStarted = false
var loadedShards = null

function hasIndex(config) {
  return !!(config && config.eiso && config.eiso.shards)
}

/* The built worker starts with `self.EISO_SEARCH = {shards: ...}` (see build_search_files) */
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

function loadAll(config) {
  if (!hasIndex(config))
    return Promise.reject(new Error("e-ISO search: search_index.json has no e-ISO index " +
      "(was it written before Material's search plugin wrote its own?)"))
  textConfig = config
  loadedShards = config.eiso.shards.core.gz
  return loadCore(config).then(function () {
    setTimeout(startText, TEXT_DELAY_MS)
  })
}

function startText() {
  if (textStarted || !textConfig) return
  textStarted = true
  complete = loadText(textConfig).then(function () {
    /* results gain the matches in page bodies */
    if (lastQuery !== null) answer(lastQuery)
  }, function (err) { console.warn(err) })
}

function onMessage(ev) {
  var message = ev.data
  mark("message:" + message.type)
  switch (message.type) {
    case SETUP:
      var given = message.data && message.data.config
      ready = (boot || Promise.reject(new Error("no early start"))).then(function () {
        /* a worker file from an older build (browser cache) names older shards */
        if (hasIndex(given) && given.eiso.shards.core.gz !== loadedShards) {
          textStarted = false
          text = null
          return loadAll(given)
        }
      }, function () {
        return loadAll(given)   /* early start failed: use what Material sent */
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
      lastQuery = String(message.data)
      var reply = function () {
        try {
          answer(lastQuery)
          mark("result")
        } catch (err) {
          console.warn("e-ISO search: query failed", err)
          postMessage({ type: RESULT, data: { items: [] } })
        }
        setTimeout(startText, TEXT_DELAY_MS)  /* let the page show the first results */
      }
      if (ready) ready.then(reply, reply)
      else reply()
      break
    /* e-ISO extension (tests, benchmark): answers once the whole index is loaded */
    case "eiso:complete":
      Promise.resolve(ready).then(function () {
        startText()
        return complete
      }).then(function () {
        postMessage({ type: "eiso:complete", data: { core: !!core, text: !!text, timings: timings, events: events } })
      })
      break
    default:
      break
  }
}

if (IN_WORKER) boot = embeddedConfig() ? loadAll(embeddedConfig()) : readConfig().then(loadAll)
if (IN_WORKER && boot) boot.catch(function () { /* reported when SETUP arrives */ })
if (IN_WORKER) addEventListener("message", onMessage)

/* For tests: the same functions, callable from a page that loads this file after
 * lunr.min.js and eiso-pipeline.js. */
self.eisoSearchWorker = {
  decodeShard: decodeShard,
  rank: rank,
  search: search,
  plan: plan,
  escapeHTML: escapeHTML,
  use: function (coreShard, textShard) {
    core = makeCore(coreShard)
    text = textShard ? makeText(textShard) : null
  },
  timings: function () { return timings },
  /* the lunr.Index of a shard ("core" or "text"), for lunr's own query API */
  lunrIndex: function (name) { return name === "text" ? text && text.index : core && core.index }
}
