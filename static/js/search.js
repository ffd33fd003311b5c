// Offline search over /index.json (written at build time): every word of the query must
// appear in a post's title, tags, categories or text; title and tag matches rank first.
(function () {
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var fallback = document.querySelector(".search-fallback");
  if (!form || !input || !list) return;
  var index = null;

  function words(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function prepare(entry) {
    entry._title = words(entry.title).join(" ");
    entry._terms = words(entry.tags.concat(entry.categories).join(" ")).join(" ");
    entry._text = words(entry.summary + " " + entry.text).join(" ");
    return entry;
  }

  function score(entry, query) {
    var total = 0;
    for (var i = 0; i < query.length; i++) {
      var q = query[i], s = 0;
      if (entry._title.indexOf(q) !== -1) s += 10;
      if (entry._terms.indexOf(q) !== -1) s += 5;
      if (entry._text.indexOf(q) !== -1) s += 1;
      if (s === 0) return 0;
      total += s;
    }
    return total;
  }

  function snippet(entry, query) {
    var text = entry.text, lower = text.toLowerCase();
    for (var i = 0; i < query.length; i++) {
      var at = lower.indexOf(query[i]);
      if (at !== -1) {
        var start = at > 70 ? text.lastIndexOf(" ", at - 60) + 1 : 0;
        var end = text.indexOf(" ", at + 110);
        if (end === -1) end = text.length;
        return (start > 0 ? "… " : "") + text.slice(start, end).trim() + (end < text.length ? " …" : "");
      }
    }
    return entry.summary;
  }

  // The snippet as text nodes, with each query word in a <mark>; no HTML is parsed.
  function highlight(parent, text, query) {
    var escaped = query.map(function (q) { return q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var parts = text.split(new RegExp("(" + escaped.join("|") + ")", "gi"));
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var mark = document.createElement("mark"); mark.textContent = part; parent.appendChild(mark);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(query) {
    list.textContent = "";
    var terms = words(query);
    if (fallback) fallback.hidden = terms.length > 0;
    if (!terms.length) { status.textContent = ""; return; }
    var found = index.map(function (e) { return [score(e, terms), e]; })
      .filter(function (pair) { return pair[0] > 0; })
      .sort(function (a, b) { return b[0] - a[0] || (a[1].date < b[1].date ? 1 : -1); });
    status.textContent = found.length === 0 ? "No posts match “" + query + "”." :
      found.length + (found.length === 1 ? " post matches" : " posts match") + " “" + query + "”.";
    found.forEach(function (pair) {
      var e = pair[1];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.url; a.textContent = e.title;
      var h = document.createElement("h2"); h.appendChild(a); li.appendChild(h);
      if (e.date) {
        var meta = document.createElement("p"); meta.className = "meta";
        meta.textContent = (e.shown || e.date) + (e.tags.length ? " · " + e.tags.join(", ") : "");
        li.appendChild(meta);
      }
      var p = document.createElement("p"); highlight(p, snippet(e, terms), terms); li.appendChild(p);
      list.appendChild(li);
    });
  }

  function run() {
    var query = input.value.trim();
    if (index) { render(query); return; }
    status.textContent = "Loading the index…";
    fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (data) { index = data.map(prepare); render(input.value.trim()); })
      .catch(function () { status.textContent = "The search index could not be loaded."; });
  }

  form.hidden = false;  // hidden in the HTML: without this script it could not search
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value.trim());
    history.replaceState(null, "", url);
    run();
  });
  input.addEventListener("input", run);
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
