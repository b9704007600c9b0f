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
  // A saved course republished since is saved again (the worker checks).
  // The page's own worker is told at once: a learner who follows a link as
  // the connection comes back must not leave before the message is sent.
  function check(force) {
    var msg = { type: "check", force: force };
    if (!navigator.onLine) return;
    if (sw.controller) return sw.controller.postMessage(msg);
    sw.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage(msg);
    });
  }
  window.addEventListener("online", function () { check(true); sync(); });
  sync();
  check(false);

  // A quiz submitted with no connection: queued with a new event id (the
  // saved page's form is reused), then scored by the server once synced.
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    h = h.join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  var attempts = $("[data-offline-attempts]");
  function showAttempts() {
    if (!attempts) return;
    var ta = function (k) { return attempts.getAttribute("data-t-" + k); }, ul = $("ul", attempts);
    store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      var mine = all.filter(function (e) { return e.body && e.page === location.pathname; })
        .sort(function (a, b) { return a.queued_at - b.queued_at; });
      ul.textContent = "";
      mine.forEach(function (e) {
        var li = document.createElement("li"), s = e.scored;
        if (e.refused) { li.className = "refused"; li.textContent = ta("refused").replace("%r", e.refused); }
        else if (s) {
          li.className = s.passed ? "pass" : "fail";
          li.textContent = ta(s.passed ? "pass" : "fail").replace("%s", s.score) + " " + s.questions.map(function (q) {
            return q.prompt + ": " + ta(q.correct ? "right" : "wrong");
          }).join(" · ");
        } else { li.className = "waiting"; li.textContent = ta("waiting"); }
        ul.appendChild(li);
      });
      attempts.hidden = mine.length === 0;
    });
  }
  showAttempts();
  sw.addEventListener("message", function (event) { if ((event.data || {}).type === "synced") showAttempts(); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline-quiz]") || navigator.onLine || !sw.controller) return;
    event.preventDefault();
    var answers = {};
    Array.prototype.forEach.call(form.querySelectorAll("input:checked"), function (i) {
      var k = i.name.replace(/^q\./, "");
      (answers[k] = answers[k] || []).push(i.value);
    });
    var e = { id: uuid(), url: "/api/v1" + new URL(form.action).pathname, csrf: form.elements.csrf.value,
      body: { answers: answers }, page: location.pathname, title: document.title, queued_at: Date.now() };
    store("readwrite", function (s) { return s.put(e); }).then(function () {
      form.reset();
      showAttempts();
      sync();
    }, function () { form.submit(); });
  });
  // Scores are kept on the device for 30 days, for the learner to see.
  store("readwrite", function (s) {
    var r = s.getAll();
    r.onsuccess = function () {
      r.result.forEach(function (e) { if (e.scored && e.scored.at < Date.now() - 2592e6) s.delete(e.id); });
    };
  });

  // The course page: save for offline. The total is shown first, with the
  // resource files up to the size the learner chooses; then the download,
  // with progress; cancellable.
  var box = $("[data-offline-save]");
  if (box) {
    var slug = box.getAttribute("data-offline-save");
    var start = $("[data-offline-start]", box), cancel = $("[data-offline-cancel]", box);
    var choose = $("[data-offline-choose]", box), limit = $("[data-offline-limit]", box);
    var bar = $("[data-offline-progress]", box), status = $("[data-offline-status]", box);
    var t = function (k) { return box.getAttribute("data-t-" + k); };
    var end = function (text) { status.textContent = text; bar.hidden = cancel.hidden = true; start.disabled = false; };
    var list = null;
    var total = function () {
      var max = Number(limit.value), sum = list.total_bytes;
      list.items.forEach(function (i) { if (i.resource && (max < 0 || i.bytes <= max)) sum += i.bytes; });
      status.textContent = t("size").replace("%s", size(sum));
    };
    box.hidden = false;
    // `caches.open` would create the cache: ask whether it exists first.
    var saved = "agora-course-" + slug;
    caches.has(saved).then(function (yes) {
      return yes && caches.open(saved).then(function (c) { return c.match("/__saved"); });
    }).then(function (r) {
      return r && r.json();
    }).then(function (about) {
      if (about) status.textContent = about.updated_at ? t("updated") : t("saved");
    });
    start.addEventListener("click", function () {
      start.disabled = true;
      fetch("/api/v1/courses/" + slug + "/offline", { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      }).then(function (l) {
        list = l;
        choose.hidden = false;
        total();
      }).catch(function () { end(t("failed")); });
    });
    limit.addEventListener("change", function () { if (list) total(); });
    $("[data-offline-download]", box).addEventListener("click", function () {
      choose.hidden = true;
      bar.value = 0; bar.max = list.items.length; bar.hidden = cancel.hidden = false;
      sw.ready.then(function (reg) { reg.active.postMessage({ type: "save", list: list, limit: Number(limit.value) }); });
    });
    cancel.addEventListener("click", function () {
      sw.ready.then(function (reg) { reg.active.postMessage({ type: "cancel", slug: slug }); });
    });
    sw.addEventListener("message", function (event) {
      var m = event.data || {};
      if (m.slug !== slug) return;
      if (m.type === "progress") {
        bar.max = m.total;
        bar.value = m.done;
        status.textContent = t("progress").replace("%d", m.done).replace("%t", m.total);
      }
      if (m.type === "saved") end((m.update ? t("updated") : t("saved")) + " (" + size(m.bytes) + ")");
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
        if (s.about.updated_at) {
          var up = document.createElement("span");
          up.className = "updated";
          up.textContent = tt("updated").replace("%s", new Date(s.about.updated_at).toLocaleString(document.documentElement.lang)) + " ";
          li.appendChild(up);
        }
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
        li.appendChild(document.createTextNode(" · " + (e.refused ? tt("refused").replace("%r", e.refused)
          : e.scored ? tt("scored").replace("%s", e.scored.score) : tt("waiting"))));
      });
      $("[data-queue-empty]", page).hidden = all.length > 0;
    });
  }
})();
// LTI Deep Linking: the signed answer goes back to the LMS by itself (the
// form's button does the same without JavaScript).
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (form) form.submit();
})();
