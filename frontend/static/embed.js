/* Agora course cards for partner sites. No dependencies.
 *
 *   <script src="https://agora.example/embed.js" async
 *     data-partner="city-network" data-collection="resilience"
 *     data-lang="fr" data-theme="sdg:11" data-limit="6" data-color-scheme="dark"></script>
 *
 * Renders into a Shadow DOM just before the script tag (or into the element
 * named by data-target). Also sizes Agora iframe embeds on the page
 * (<iframe src="https://agora.example/embed/..."> ) to their content.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(script.src, location.href).origin;

  // Agora iframes post their height; size the frame that sent it.
  if (!window.__agoraEmbedSizer) {
    window.__agoraEmbedSizer = true;
    window.addEventListener("message", function (e) {
      if (e.origin !== base || !e.data || e.data.type !== "agora-embed-height") return;
      var h = Number(e.data.height);
      if (!(h > 0 && h < 20000)) return;
      var frames = document.getElementsByTagName("iframe");
      for (var i = 0; i < frames.length; i++) {
        if (frames[i].contentWindow === e.source) {
          frames[i].style.height = Math.ceil(h) + "px";
          frames[i].setAttribute("data-agora-sized", "true");
        }
      }
    });
  }

  var d = script.dataset;
  if (!d.partner && !d.collection) return; // only the iframe sizer was wanted

  var SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  var THEME = /^(sdg:([1-9]|1[0-7])|sendai:[1-4]|tag:[a-z0-9]+(-[a-z0-9]+)*)$/;
  var errors = [];
  function check(ok, name) { if (!ok) errors.push("data-" + name); }
  check(SLUG.test(d.partner || "") && d.partner.length <= 80, "partner");
  check(SLUG.test(d.collection || "") && d.collection.length <= 80, "collection");
  check(!d.lang || /^(en|fr|es)$/.test(d.lang), "lang");
  check(!d.theme || THEME.test(d.theme), "theme");
  check(!d.limit || (/^[0-9]{1,3}$/.test(d.limit) && +d.limit >= 1 && +d.limit <= 100), "limit");
  check(!d.colorScheme || /^(light|dark)$/.test(d.colorScheme), "color-scheme");

  var host = d.target ? document.querySelector(d.target) : null;
  if (!host) {
    host = document.createElement("div");
    script.parentNode.insertBefore(host, script);
  }
  host.className = (host.className ? host.className + " " : "") + "agora-embed";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var dark = d.colorScheme === "dark";

  var css =
    ":host{display:block}" +
    ".w{--bg:#fff;--fg:#1b1f24;--mu:#57606a;--li:#d0d7de;--a:#0b5cad;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;padding:8px}" +
    ".w.dark{--bg:#161b22;--fg:#e6edf3;--mu:#9da7b3;--li:#30363d;--a:#6cb6ff}" +
    "ul{list-style:none;margin:0;padding:0;display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(240px,1fr))}" +
    "li{border:1px solid var(--li);border-radius:8px;padding:12px 14px}" +
    "h3{font-size:1.05rem;margin:0 0 6px}a{color:var(--a)}" +
    "p{margin:0 0 8px}.m,.e{color:var(--mu);font-size:.875rem}";

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  var wrap = el("div", "w" + (dark ? " dark" : ""));
  var style = el("style", null, css);
  root.appendChild(style);
  root.appendChild(wrap);

  function fail(message) {
    wrap.textContent = "";
    var p = el("p", "e", message);
    p.setAttribute("role", "status");
    wrap.appendChild(p);
    host.setAttribute("data-agora-error", message);
    if (window.console) console.error("Agora embed: " + message);
  }

  if (errors.length) {
    fail("invalid attribute " + errors.join(", "));
    return;
  }

  var q = [];
  if (d.lang) q.push("lang=" + d.lang);
  if (d.theme) q.push("theme=" + encodeURIComponent(d.theme));
  if (d.limit) q.push("limit=" + d.limit);
  var url = base + "/api/v1/partners/" + d.partner + "/collections/" + d.collection + (q.length ? "?" + q.join("&") : "");

  // Links go to this Agora's course pages only.
  function safeLink(href) {
    try {
      var u = new URL(href);
      return u.origin === base && u.pathname.indexOf("/courses/") === 0 ? u.href : null;
    } catch (e) { return null; }
  }

  function render(data) {
    wrap.textContent = "";
    var items = data.items || [];
    if (d.lang) wrap.setAttribute("lang", d.lang);
    if (!items.length) { wrap.appendChild(el("p", "e", data.labels && data.labels.empty)); return; }
    var ul = el("ul");
    ul.setAttribute("aria-label", (data.collection && data.collection.name) || "");
    for (var i = 0; i < items.length; i++) {
      var c = items[i];
      var href = safeLink(c.url);
      if (!href) continue;
      var li = el("li");
      li.setAttribute("lang", c.locale);
      var h = el("h3");
      var a = el("a", null, c.title);
      a.href = href;
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(el("p", null, c.summary));
      var m = el("p", "m", c.duration_text + " · " + data.labels.languages + ": " + c.languages_text);
      if (d.lang) m.setAttribute("lang", d.lang);
      li.appendChild(m);
      ul.appendChild(li);
    }
    wrap.appendChild(ul);
    host.setAttribute("data-agora-ready", String(items.length));
  }

  if (!window.fetch) { fail("this browser cannot load the courses"); return; }
  fetch(url, { credentials: "omit", mode: "cors" })
    .then(function (r) {
      return r.json().then(
        function (body) { return { ok: r.ok, body: body }; },
        function () { return { ok: false, body: {} }; }
      );
    })
    .then(function (r) {
      if (!r.ok) { fail((r.body && r.body.message) || "the courses could not be loaded"); return; }
      render(r.body);
    })
    .catch(function () { fail("the courses could not be loaded"); });
})();
