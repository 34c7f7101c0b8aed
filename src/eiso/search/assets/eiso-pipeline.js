/*
 * e-ISO search: the Vietnamese text pipeline, in the browser.
 *
 * Twin of src/eiso/search/pipeline.py: same rules, same lunr pipeline function
 * names ("eiso-normalize", "eiso-fold"). tests/test_search_pipeline.py runs both
 * on the same strings and compares the tokens. Works in a page and in a worker.
 */
;(function (root) {
  "use strict"

  var JOINERS = "./-"
  var BIGRAM_JOINER = "_"
  var ACCENT_FIELDS = ["accent"]
  var COMPOUND = /[\p{L}\p{M}\p{N}]+(?:[.\/\-][\p{L}\p{M}\p{N}]+)*/gu
  var DASHES = /[\u2010-\u2013\u2212]/g
  var MARKS = /\p{Mn}/gu
  var ATOM_SPLIT = /[.\/\-]/

  /* NFC, lower case, NFC; hyphen-like dashes become "-" */
  function normalize(text) {
    return String(text).normalize("NFC").toLowerCase().normalize("NFC").replace(DASHES, "-")
  }

  /* Remove accents from a normalised term: "giấy" -> "giay", "đ" -> "d" */
  var foldCache = new Map()
  function fold(term) {
    var hit = foldCache.get(term)
    if (hit !== undefined) return hit
    var out = term.normalize("NFD").replace(MARKS, "").replace(/đ/g, "d").normalize("NFC")
    if (foldCache.size > 50000) foldCache.clear()
    foldCache.set(term, out)
    return out
  }

  function hasAccents(term) {
    return fold(term) !== term
  }

  /* The compounds of a text, normalised, accents kept */
  function compounds(text) {
    return normalize(text).match(COMPOUND) || []
  }

  function hasAny(text, chars) {
    for (var i = 0; i < chars.length; i++)
      if (text.indexOf(chars[i]) >= 0) return true
    return false
  }

  /* The tokens of one compound: whole, joined "/" segments, atoms */
  function compoundTokens(compound) {
    var out = [compound]
    if (hasAny(compound, JOINERS)) {
      if (compound.indexOf("/") >= 0)
        compound.split("/").forEach(function (seg) {
          if (hasAny(seg, ".-")) out.push(seg)
        })
      compound.split(ATOM_SPLIT).forEach(function (atom) { out.push(atom) })
    }
    var seen = new Set()
    return out.filter(function (t) {
      if (seen.has(t)) return false
      seen.add(t)
      return true
    })
  }

  /* Normalised tokens of a text (accents kept; eiso-fold removes them later) */
  function tokenize(text) {
    var tokens = []
    compounds(text).forEach(function (compound) {
      Array.prototype.push.apply(tokens, compoundTokens(compound))
    })
    return tokens
  }

  /* "first_second" terms for each pair of consecutive compounds (accents kept) */
  function bigrams(text) {
    var parts = compounds(text)
    var out = []
    for (var i = 1; i < parts.length; i++) out.push(parts[i - 1] + BIGRAM_JOINER + parts[i])
    return out
  }

  function analyze(text) {
    return tokenize(text).map(fold)
  }

  /* lunr pipeline functions */
  function onlyAccentFields(metadata) {
    var fields = metadata && metadata.fields
    return !!(fields && fields.length) && fields.every(function (f) {
      return ACCENT_FIELDS.indexOf(f) >= 0
    })
  }

  function eisoNormalize(token) {
    return token.update(function (s) { return normalize(s) })
  }

  function eisoFold(token) {
    if (onlyAccentFields(token.metadata)) return token
    return token.update(function (s) { return fold(s) })
  }

  function register(lunr) {
    if (!lunr || lunr.Pipeline.registeredFunctions["eiso-normalize"] === eisoNormalize) return
    lunr.Pipeline.registerFunction(eisoNormalize, "eiso-normalize")
    lunr.Pipeline.registerFunction(eisoFold, "eiso-fold")
  }

  var api = {
    ACCENT_FIELDS: ACCENT_FIELDS,
    BIGRAM_JOINER: BIGRAM_JOINER,
    normalize: normalize,
    fold: fold,
    hasAccents: hasAccents,
    compounds: compounds,
    compoundTokens: compoundTokens,
    tokenize: tokenize,
    bigrams: bigrams,
    analyze: analyze,
    eisoNormalize: eisoNormalize,
    eisoFold: eisoFold,
    register: register
  }
  root.eisoSearchPipeline = api
  if (root.lunr) register(root.lunr)
})(typeof self !== "undefined" ? self : this)
