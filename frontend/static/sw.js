// Agora's service worker: an enhancement, pages work without it.
// The server fills in VERSION, ASSETS and OFFLINE (see api/src/web/offline.rs).
//
// Caches: "agora-shell-VERSION" (the offline page and the styles),
// "agora-course-SLUG" (a course saved for offline, with "/__saved" describing
// it). IndexedDB "agora", store "events": completions made offline.
"use strict";
var VERSION = "__VERSION__";
var SHELL = "agora-shell-" + VERSION;
var ASSETS = __ASSETS__;
var OFFLINE = "__OFFLINE__";
var COURSE = "agora-course-";
var saving = {};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (c) {
      return c.addAll(ASSETS).then(function () {
        return fetch(OFFLINE, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) throw new Error("offline page: " + r.status);
          return c.put("/offline", r);
        });
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

// Activate: drop the shells of earlier versions (saved courses stay).
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("agora-shell-") === 0 && k !== SHELL;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // Hashed assets never change: the cache first.
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  // Pages: the network first; offline, a saved copy, else the offline page.
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(function () {
      return caches.match(url.pathname, { ignoreVary: true }).then(function (hit) {
        return hit || caches.match("/offline", { cacheName: SHELL });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/media/") === 0) {
    event.respondWith(fetch(req).catch(function () {
      return caches.match(url.pathname, { ignoreVary: true }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});

function tell(msg) {
  return self.clients.matchAll().then(function (all) {
    all.forEach(function (c) { c.postMessage(msg); });
  });
}

// Saves every address of `list` (from /api/v1/courses/SLUG/offline) in the
// course's cache, one at a time; a cancel or a failure keeps nothing.
function save(list) {
  var slug = list.slug, name = COURSE + slug, done = 0, bytes = 0;
  var state = saving[slug] = { cancelled: false };
  return caches.open(name).then(function (c) {
    function next(i) {
      if (state.cancelled) throw new Error("cancelled");
      if (i >= list.items.length) return null;
      var url = list.items[i].url;
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.clone().blob().then(function (b) {
          bytes += b.size;
          return c.put(url, r);
        });
      }).then(function () {
        done += 1;
        tell({ type: "progress", slug: slug, done: done, total: list.items.length });
        return next(i + 1);
      });
    }
    return next(0).then(function () {
      var about = { slug: slug, title: list.title, generation: list.generation, bytes: bytes, lessons: list.lessons, saved_at: Date.now() };
      return c.put("/__saved", new Response(JSON.stringify(about), { headers: { "Content-Type": "application/json" } }));
    });
  }).then(function () {
    delete saving[slug];
    return tell({ type: "saved", slug: slug, bytes: bytes });
  }, function (e) {
    delete saving[slug];
    return caches.delete(name).then(function () {
      return tell({ type: state.cancelled ? "cancelled" : "failed", slug: slug, error: String(e) });
    });
  });
}

// The queue of events made offline, in IndexedDB.
function db() {
  return new Promise(function (ok, fail) {
    var open = indexedDB.open("agora", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("events", { keyPath: "id" }); };
    open.onsuccess = function () { ok(open.result); };
    open.onerror = function () { fail(open.error); };
  });
}
function store(mode, fn) {
  return db().then(function (d) {
    return new Promise(function (ok, fail) {
      var t = d.transaction("events", mode), r = fn(t.objectStore("events"));
      t.oncomplete = function () { ok(r && r.result); };
      t.onerror = function () { fail(t.error); };
    });
  });
}

// Sends the queued events, oldest first. Each carries its client event id:
// sending one twice is harmless, so an answer lost on the way only means
// sending it again. A refusal is kept, with its reason, for the learner.
function sync() {
  return store("readonly", function (s) { return s.getAll(); }).then(function (all) {
    all = all.filter(function (e) { return !e.refused; })
      .sort(function (a, b) { return a.queued_at - b.queued_at; });
    function next(i) {
      if (i >= all.length) return null;
      var e = all[i];
      return fetch(e.url + "?client_event_id=" + e.id, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": e.csrf, Accept: "application/json" }
      }).then(function (r) {
        if (r.ok) return store("readwrite", function (s) { return s.delete(e.id); });
        if (r.status >= 500 || r.status === 429) throw new Error("retry later");
        return r.json().catch(function () { return {}; }).then(function (err) {
          e.refused = err.message || ("HTTP " + r.status);
          return store("readwrite", function (s) { return s.put(e); });
        });
      }).then(function () { return next(i + 1); });
    }
    return next(0);
  }).then(function () { return tell({ type: "synced" }); });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "agora-sync") event.waitUntil(sync());
});

self.addEventListener("message", function (event) {
  var m = event.data || {};
  var work = null;
  if (m.type === "save") work = save(m.list);
  if (m.type === "cancel" && saving[m.slug]) saving[m.slug].cancelled = true;
  if (m.type === "sync") work = sync().catch(function () { /* offline: later */ });
  if (work && event.waitUntil) event.waitUntil(work);
});
