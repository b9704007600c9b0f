// Optional enhancement: "Mark as complete" without reloading the page.
// Every form works without this file; it only saves a round trip.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-enhance=complete]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }, function (offline) {
      // No connection: queued on the device, sent by the service worker.
      if (window.agoraQueue && window.agoraQueue(form)) return null;
      throw offline;
    }).then(function (p) {
      if (!p) return;
      if (p.course_completed) { window.location.assign("/my-learning"); return; }
      var bar = document.querySelector("#course-progress progress");
      var text = document.querySelector("#course-progress .progress-text");
      if (bar) { bar.value = p.percent; bar.setAttribute("aria-label", p.label); bar.textContent = p.percent_text; }
      if (text) text.textContent = p.percent_text + " · " + p.label;
      var done = form.parentNode.querySelector("[data-done]");
      form.remove();
      if (done) { done.hidden = false; done.setAttribute("role", "status"); }
      var next = document.querySelector(".pager a[rel=next]");
      if (next) next.focus();
    }).catch(function () {
      // Fall back to the plain form post.
      form.submit();
    });
  });
})();
// Optional enhancement: the browser's time zone, for "automatic" in the
// account form; without this file the server guesses from the language.
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var fields = document.querySelectorAll("input[data-browser-time-zone]");
    for (var i = 0; i < fields.length; i++) fields[i].value = zone || "";
  } catch (e) { /* no Intl: the server's guess stands */ }
})();
// Optional enhancement: the service worker, for the installable app and
// the offline page (in this page's language); see /sw.js.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var lang = document.documentElement.lang || "en";
  navigator.serviceWorker.register("/sw.js?lang=" + encodeURIComponent(lang), { scope: "/" })
    .catch(function () { /* no worker: pages still work online */ });
})();
// Optional enhancement: saving courses for offline, and completions made
// offline, queued with their client event id until the service worker
// sends them (Background Sync where there is one, else on the next visit).
(function () {
  "use strict";
  var sw = navigator.serviceWorker;
  if (!sw || !window.caches || !window.indexedDB) return;
  function $(sel, root) { return (root || document).querySelector(sel); }
  function size(bytes) {
    return bytes < 1048576 ? Math.ceil(bytes / 1024) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  }
  function store(mode, fn) {
    return new Promise(function (ok, fail) {
      var open = indexedDB.open("agora", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("events", { keyPath: "id" }); };
      open.onerror = function () { fail(open.error); };
      open.onsuccess = function () {
        var t = open.result.transaction("events", mode), r = fn(t.objectStore("events"));
        t.oncomplete = function () { ok(r && r.result); };
        t.onerror = function () { fail(t.error); };
      };
    });
  }
  function sync() {
    sw.ready.then(function (reg) {
      if (reg.sync) reg.sync.register("agora-sync").catch(function () {});
      if (navigator.onLine && reg.active) reg.active.postMessage({ type: "sync" });
    });
  }
  function waiting(form) {
    var p = document.createElement("p");
    p.className = "done waiting";
    p.setAttribute("role", "status");
    p.textContent = form.getAttribute("data-t-waiting");
    form.parentNode.replaceChild(p, form);
  }
  // A completion made offline: kept on the device with its event id.
  window.agoraQueue = function (form) {
    var id = form.elements.client_event_id, csrf = form.elements.csrf;
    if (!id || !id.value || !sw.controller) return false;
    var e = { id: id.value, url: "/api/v1" + new URL(form.action).pathname, csrf: csrf.value,
      page: location.pathname, title: document.title, queued_at: Date.now() };
    // "Waiting to sync" only once it is stored: leaving the page at once
    // must not lose it. Not stored (no space): the plain form post.
    store("readwrite", function (s) { return s.put(e); }).then(function () {
      waiting(form);
      sync();
    }, function () { form.submit(); });
    return true;
  };
  // This lesson's completion is still waiting: say so.
  var form = $("form[data-enhance=complete]");
  if (form) {
    store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      if (all.some(function (e) { return e.page === location.pathname && !e.refused; })) waiting(form);
    });
  }
  window.addEventListener("online", sync);
  sync();

  // The course page: save for offline, with progress; cancellable.
  var box = $("[data-offline-save]");
  if (box) {
    var slug = box.getAttribute("data-offline-save");
    var start = $("[data-offline-start]", box), cancel = $("[data-offline-cancel]", box);
    var bar = $("[data-offline-progress]", box), status = $("[data-offline-status]", box);
    var t = function (k) { return box.getAttribute("data-t-" + k); };
    var end = function (text) { status.textContent = text; bar.hidden = cancel.hidden = true; start.disabled = false; };
    box.hidden = false;
    caches.has("agora-course-" + slug).then(function (saved) { if (saved) status.textContent = t("saved"); });
    start.addEventListener("click", function () {
      start.disabled = true;
      fetch("/api/v1/courses/" + slug + "/offline", { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      }).then(function (list) {
        status.textContent = t("size").replace("%s", size(list.total_bytes));
        bar.value = 0; bar.max = list.items.length; bar.hidden = cancel.hidden = false;
        return sw.ready.then(function (reg) { reg.active.postMessage({ type: "save", list: list }); });
      }).catch(function () { end(t("failed")); });
    });
    cancel.addEventListener("click", function () {
      sw.ready.then(function (reg) { reg.active.postMessage({ type: "cancel", slug: slug }); });
    });
    sw.addEventListener("message", function (event) {
      var m = event.data || {};
      if (m.slug !== slug) return;
      if (m.type === "progress") {
        bar.value = m.done;
        status.textContent = t("progress").replace("%d", m.done).replace("%t", m.total);
      }
      if (m.type === "saved") end(t("saved") + " (" + size(m.bytes) + ")");
      if (m.type === "cancelled") end(t("cancelled"));
      if (m.type === "failed") end(t("failed"));
    });
  }

  // The saved-courses page: what this device keeps, and what waits.
  var page = $("[data-saved-page]");
  if (page) {
    var list = $("[data-saved-list]", page), queue = $("[data-queue-list]", page);
    var tt = function (k) { return page.getAttribute("data-t-" + k); };
    var item = function (parent, text, href) {
      var li = document.createElement("li"), a = document.createElement(href ? "a" : "span");
      a.textContent = text;
      if (href) a.href = href;
      li.appendChild(a);
      parent.appendChild(li);
      return li;
    };
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("agora-course-") === 0; }).map(function (k) {
        return caches.open(k).then(function (c) { return c.match("/__saved"); }).then(function (r) {
          return r ? r.json().then(function (about) { return { key: k, about: about }; }) : null;
        });
      }));
    }).then(function (saved) {
      saved.filter(Boolean).forEach(function (s) {
        var li = item(list, s.about.title, "/courses/" + s.about.slug);
        li.appendChild(document.createTextNode(" · " + size(s.about.bytes) + " "));
        var b = document.createElement("button");
        b.type = "button"; b.className = "linkish"; b.textContent = tt("remove");
        b.setAttribute("aria-label", tt("remove") + ": " + s.about.title);
        b.addEventListener("click", function () { caches.delete(s.key).then(function () { li.remove(); }); });
        li.appendChild(b);
      });
      $("[data-saved-empty]", page).hidden = list.children.length > 0;
    });
    store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      all.forEach(function (e) {
        var li = item(queue, e.title, e.page);
        li.appendChild(document.createTextNode(" · " + (e.refused ? tt("refused").replace("%r", e.refused) : tt("waiting"))));
      });
      $("[data-queue-empty]", page).hidden = all.length > 0;
    });
  }
})();
