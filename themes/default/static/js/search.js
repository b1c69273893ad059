/* 站内搜索: the search page's form, run in the browser over the site's Pagefind index.
   The form is a plain GET form, so the address (?q=…&category=…&year=…) can be bookmarked and shared;
   this script reads it, asks Pagefind, and lists title, date, category, type and an excerpt with the
   matching words marked. Messages come from the page (.search-messages), so they are in its script.
   The index has every Han character as a word of its own (see fedpress/search.py), so each Chinese
   word of the query is looked up as an exact phrase of characters, any other word (12338) whole, and a
   query of several words (separated by spaces) finds the items containing all of them.
   The index holds the Simplified pages. On a site with a Traditional mirror, a query is looked up in
   Simplified characters (pagefind/traditional.json) on either script's page, and on the Traditional
   one (data-script-prefix, data-texts) each result is shown from the Traditional text of its page
   (zh-hant/pagefind/text/…json), its excerpt cut and marked at the same words as Pagefind's, since
   that text is the Simplified one converted character for character. Both are fetched with no-cache:
   their addresses stay when the index changes. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("#search-q");
  var category = form.querySelector("#search-category");
  var year = form.querySelector("#search-year");
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var PAGE = 10;
  var EXCERPT = 60; // words (characters, in Chinese) in an excerpt
  var resultsBase = form.getAttribute("data-results-base");
  // The index is of the script without a prefix; a page of another (the Traditional) shows its results from texts.
  var texts = form.getAttribute("data-script-prefix") ? form.getAttribute("data-texts") : null;
  var charactersUrl = form.getAttribute("data-query-characters");
  var simplifiedOf = null; // Traditional character -> Simplified, once loaded
  var HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]"; // as in fedpress/search.py
  var HAN_BOUNDARY = new RegExp("(?<=" + HAN + ")(?=\\S)|(?<=\\S)(?=" + HAN + ")", "gu");
  var CJK = new RegExp("^(?:" + HAN + "|[\u3000-\u303f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026])$", "u");
  var pagefind = null;
  var current = null; // {results, shown, token}
  var token = 0;

  function message(name, values) {
    var node = document.querySelector('.search-messages [data-message="' + name + '"]');
    var text = node ? node.textContent : "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  /* The index is in shards of whole years (see fedpress/search.py), listed in pagefind/shards.json:
     Pagefind is loaded from the first and the others are merged into it, so one search covers them all. */
  function load() {
    var listed = form.getAttribute("data-pagefind");
    if (!listed) { // nothing published yet, so there is no index: nothing is found
      return Promise.resolve({ search: function () { return Promise.resolve({ results: [] }); } });
    }
    if (!pagefind) {
      var list = new URL(listed, location.href);
      var options = { baseUrl: resultsBase, excerptLength: EXCERPT };
      pagefind = fetch(list, { cache: "no-cache" }).then(function (response) {
        if (!response.ok) throw new Error("shards.json: " + response.status);
        return response.json();
      }).then(function (index) {
        var shards = index.shards.map(function (name) { return new URL(name, list).pathname; });
        return Promise.all([import(shards[0] + "pagefind.js"), loadCharacters()]).then(function (loaded) {
          var module = loaded[0];
          return module.options(Object.assign({ basePath: shards[0] }, options)).then(function () {
            return Promise.all(shards.slice(1).map(function (shard) { return module.mergeIndex(shard, options); }));
          }).then(function () {
            return module;
          });
        });
      });
      pagefind.catch(function () { pagefind = null; }); // a failed load is tried again at the next search
    }
    return pagefind;
  }

  /* The table of Traditional characters and the Simplified ones the index holds; without it (no
     mirror, or it failed to load) a query is looked up as typed. */
  function loadCharacters() {
    if (!charactersUrl) return Promise.resolve();
    return fetch(new URL(charactersUrl, location.href), { cache: "no-cache" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (table) {
      if (!table) return;
      var from = Array.from(table.traditional), to = Array.from(table.simplified);
      simplifiedOf = {};
      from.forEach(function (ch, i) { simplifiedOf[ch] = to[i]; });
    }).catch(function () {});
  }

  function inSimplified(word) {
    return simplifiedOf ? Array.from(word).map(function (ch) { return simplifiedOf[ch] || ch; }).join("") : word;
  }

  /* Pagefind's excerpt is HTML with <mark> around the matching words: keep only text and marks. */
  function excerptNodes(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body;
    var runs = [];
    (function collect(node, marked) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === 3) runs.push({ text: child.nodeValue.replace(/\u200b/g, ""), marked: marked });
        else if (child.nodeType === 1) collect(child, marked || child.nodeName === "MARK");
      });
    })(parsed, false);
    var fragment = document.createDocumentFragment();
    unspaced(runs).forEach(function (run) {
      var node = document.createTextNode(run.text);
      if (run.marked) {
        var mark = document.createElement("mark");
        mark.appendChild(node);
        node = mark;
      }
      fragment.appendChild(node);
    });
    return fragment;
  }

  /* Each word of the query as Pagefind should look it up: exactly, Chinese as a phrase of characters.
     Looked up as a word's beginning, a word the index lacks (12339) would match the longest word that
     begins it (12): Pagefind's fallback, which finds what the reader did not ask for. */
  function lookup(word) {
    return '"' + word.replace(HAN_BOUNDARY, " ") + '"';
  }

  /* Each word of the query, as the lookups that find it: in Simplified characters and, if that differs,
     as typed (乾隆 stays so in Simplified text, though 乾 alone is read as 干). */
  function lookups(query) {
    return query.replace(/"/g, " ").split(/\s+/).filter(Boolean).map(function (word) {
      var simplified = inSimplified(word);
      return (simplified === word ? [word] : [simplified, word]).map(lookup);
    });
  }

  /* The items any of a word's lookups finds, each once with its best score (one lookup's, as Pagefind gives them). */
  function findWord(module, wordLookups, filters) {
    return Promise.all(wordLookups.map(function (one) {
      return module.search(one, { filters: filters });
    })).then(function (searches) {
      if (searches.length === 1) return (searches[0] && searches[0].results) || [];
      var best = {};
      var found = [];
      searches.forEach(function (search) {
        ((search && search.results) || []).forEach(function (result) {
          if (!(result.id in best)) found.push(result);
          if (!(result.id in best) || result.score > best[result.id].score) best[result.id] = result;
        });
      });
      return found.map(function (result) { return best[result.id]; }).sort(function (a, b) { return b.score - a.score; });
    });
  }

  /* The items matching every word, best first (the sum of Pagefind's scores). */
  function findAll(module, query, filters) {
    return Promise.all(lookups(query).map(function (wordLookups) {
      return findWord(module, wordLookups, filters);
    })).then(function (lists) {
      if (lists.length === 1) return lists[0];
      var scores = {};
      lists.forEach(function (list) {
        list.forEach(function (result) { scores[result.id] = (scores[result.id] || 0) + result.score; });
      });
      return lists[0].filter(function (result) {
        return lists.every(function (list) { return list.some(function (other) { return other.id === result.id; }); });
      }).sort(function (a, b) { return scores[b.id] - scores[a.id]; });
    });
  }

  /* The index reads Chinese with a space around every character: take those spaces out again. Pagefind
     ends a paragraph that has no closing punctuation with ". ": after Chinese text that becomes a space. */
  function unspaced(runs) {
    var chars = [];
    runs.forEach(function (run) {
      Array.from(run.text).forEach(function (ch) { chars.push({ ch: ch, marked: run.marked }); });
    });
    function nextVisible(i) {
      for (var j = i + 1; j < chars.length; j++) if (!/\s/.test(chars[j].ch)) return chars[j].ch;
      return "";
    }
    var kept = [];
    chars.forEach(function (c, i) {
      var before = kept.length ? kept[kept.length - 1].ch : "";
      if (c.ch === "." && CJK.test(before) && /\s/.test((chars[i + 1] || {}).ch || " ")) {
        kept.push({ ch: " ", marked: false, paragraph: true });
        return;
      }
      if (/\s/.test(c.ch)) {
        if (!kept.length || /\s/.test(before)) return;
        if (!kept[kept.length - 1].paragraph && (CJK.test(before) || CJK.test(nextVisible(i)))) return;
      }
      kept.push(c);
    });
    var out = [];
    kept.forEach(function (c) {
      var last = out[out.length - 1];
      if (last && last.marked === c.marked) last.text += c.ch; else out.push({ text: c.ch, marked: c.marked });
    });
    return out;
  }

  /* Where Pagefind's excerpt of a result begins: the start of the window of EXCERPT words holding the
     most weight of the matched words (as Pagefind's own calculate_excerpt_region does). */
  function excerptStart(weighted) {
    var words = [];
    (weighted || []).forEach(function (word) { words[word.location] = (words[word.location] || 0) + word.balanced_score; });
    if (words.length <= EXCERPT) return 0;
    var sum = 0;
    for (var i = 0; i < EXCERPT; i++) sum += words[i] || 0;
    var densest = sum, densestAt = [0];
    for (var start = 0; start < words.length; start++) {
      sum += (words[start + EXCERPT] || 0) - (words[start] || 0);
      if (sum > densest) { densest = sum; densestAt = [start]; }
      else if (sum === densest && densestAt[densestAt.length - 1] === start - 1) densestAt.push(start);
    }
    return densestAt[Math.floor(densestAt.length / 2)];
  }

  /* A result's excerpt from its Traditional text, cut and marked as Pagefind's is from the Simplified
     (its words are parted by whitespace, or by zero-width spaces where the text has any). */
  function traditionalExcerpt(data, content) {
    var escaped = content.replace(/</g, "&lt;").replace(/>/g, "&gt;");
    var zeroWidth = escaped.indexOf("\u200b") >= 0;
    var words = zeroWidth ? escaped.split("\u200b") : escaped.split(/[\r\n\s]+/g);
    (data.locations || []).forEach(function (at) {
      if (words[at] !== undefined && words[at].indexOf("<mark>") !== 0) words[at] = "<mark>" + words[at] + "</mark>";
    });
    var length = Math.min(EXCERPT, words.length);
    var start = Math.max(0, Math.min(excerptStart(data.weighted_locations), words.length - length));
    return words.slice(start, start + length).join(zeroWidth ? "" : " ").trim();
  }

  /* On the Traditional page, a result as its Traditional text shows it: title, facts and excerpt. If the
     text cannot be had, the result shows what the index holds. */
  function inScript(data) {
    if (!texts) return Promise.resolve(data);
    var path = String(data.raw_url || "").replace(/^\/+|\/+$/g, "") || "index";
    return fetch(new URL(texts + path + ".json", location.href), { cache: "no-cache" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (text) {
      return Object.assign({}, data, {
        meta: Object.assign({}, data.meta, text.meta),
        excerpt: typeof text.content === "string" ? traditionalExcerpt(data, text.content) : ""
      });
    }).catch(function () { return data; });
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var li = document.createElement("li");
    li.className = "search-result";
    var heading = document.createElement("h2");
    heading.className = "search-result-title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = meta.title || data.url;
    heading.appendChild(link);
    li.appendChild(heading);
    var line = document.createElement("p");
    line.className = "entry-meta";
    if (meta.date) {
      var time = document.createElement("time");
      time.dateTime = meta.date;
      time.textContent = meta.date;
      line.appendChild(time);
    }
    [meta.category, meta.type].forEach(function (value) {
      if (!value) return;
      var span = document.createElement("span");
      span.className = "entry-category";
      span.textContent = value;
      line.appendChild(span);
    });
    li.appendChild(line);
    var excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    excerpt.appendChild(excerptNodes(data.excerpt || ""));
    li.appendChild(excerpt);
    return li;
  }

  function showMore(search) {
    var next = search.results.slice(search.shown, search.shown + PAGE);
    return Promise.all(next.map(function (result) { return result.data().then(inScript); })).then(function (datas) {
      if (search.token !== token) return;
      datas.forEach(function (data) { list.appendChild(resultItem(data)); });
      search.shown += next.length;
      var left = search.results.length - search.shown;
      more.hidden = left <= 0;
      more.textContent = message("more", { count: left });
    });
  }

  /* One search: the status says "searching", then, once the first results are on the page, how many
     were found (a polite live region, so screen readers announce it); the list is aria-busy meanwhile. */
  function run(announceEmpty) {
    var query = input.value.trim();
    var filters = {};
    if (category.value) filters.category = category.value;
    if (year.value) filters.year = year.value;
    var mine = ++token;
    list.replaceChildren();
    list.hidden = true;
    more.hidden = true;
    if (!query) {
      status.textContent = announceEmpty ? message("empty") : "";
      return Promise.resolve();
    }
    status.textContent = message("searching");
    list.setAttribute("aria-busy", "true");
    return load().then(function (module) {
      // a table that failed to load is tried again; meanwhile the query is looked up as typed
      return (charactersUrl && !simplifiedOf ? loadCharacters() : Promise.resolve()).then(function () {
        return findAll(module, query, filters);
      });
    }).then(function (results) {
      if (mine !== token) return;
      current = { results: results, shown: 0, token: mine };
      return showMore(current).then(function () {
        if (mine !== token) return;
        list.hidden = !results.length;
        status.textContent = results.length ? message("found", { count: results.length, query: query }) : message("none", { query: query });
      });
    }).catch(function () {
      if (mine === token) status.textContent = message("failed");
    }).then(function () {
      if (mine === token) list.setAttribute("aria-busy", "false");
    });
  }

  function remember() {
    var params = new URLSearchParams();
    params.set("q", input.value.trim());
    if (category.value) params.set("category", category.value);
    if (year.value) params.set("year", year.value);
    history.replaceState(null, "", "?" + params.toString());
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    run(true);
  });
  [category, year].forEach(function (select) {
    select.addEventListener("change", function () {
      if (input.value.trim()) {
        remember();
        run(false);
      }
    });
  });
  more.addEventListener("click", function () {
    if (!current) return;
    var first = list.children.length;
    showMore(current).then(function () {
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) link.focus(); // keyboard and screen-reader users continue at the first new result
    });
  });

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  if (params.get("category")) category.value = params.get("category");
  if (params.get("year")) year.value = params.get("year");
  document.body.classList.add("search-ready");
  if (input.value.trim()) run(false);
  else load(); // start fetching the index while the reader types
})();
