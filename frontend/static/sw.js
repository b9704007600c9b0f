// Agora's service worker: an enhancement, pages work without it.
// The server fills in VERSION, ASSETS and OFFLINE (see api/src/web/offline.rs).
//
// Caches: "agora-shell-VERSION" (the offline page and the styles),
// "agora-course-SLUG" (a course saved for offline, with "/__saved" describing
// it). IndexedDB "agora", store "events": completions and quiz attempts
// made offline (an attempt stays, with its score, once synced).
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
    // Offline, a smaller copy (srcset) falls back to the saved original.
    var original = url.pathname.replace(/-w\d+\.(png|jpg|webp)$/, ".$1");
    event.respondWith(fetch(req).catch(function () {
      return caches.match(url.pathname, { ignoreVary: true }).then(function (hit) {
        return hit || caches.match(original, { ignoreVary: true });
      }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});

function tell(msg) {
  return self.clients.matchAll().then(function (all) {
    all.forEach(function (c) { c.postMessage(msg); });
  });
}

// The addresses of `list` to save: every page and image, and the resource
// files up to `limit` bytes each (-1: all of them).
function chosen(list, limit) {
  return list.items.filter(function (i) { return !i.resource || limit < 0 || i.bytes <= limit; });
}

// Saves every address of `list` (from /api/v1/courses/SLUG/offline) in the
// course's cache, one at a time. A first save that is cancelled or fails
// keeps nothing; an update (a newer version of a saved course) replaces
// the pages one by one and keeps the old copy's if it stops.
function save(list, limit, update) {
  var slug = list.slug, name = COURSE + slug, done = 0, bytes = 0, items = chosen(list, limit);
  var state = saving[slug] = { cancelled: false };
  return caches.open(name).then(function (c) {
    function next(i) {
      if (state.cancelled) throw new Error("cancelled");
      if (i >= items.length) return null;
      var url = items[i].url;
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.clone().blob().then(function (b) {
          bytes += b.size;
          return c.put(url, r);
        });
      }).then(function () {
        done += 1;
        tell({ type: "progress", slug: slug, done: done, total: items.length });
        return next(i + 1);
      });
    }
    return next(0).then(function () {
      var about = { slug: slug, title: list.title, version: list.version, limit: limit, bytes: bytes,
        lessons: list.lessons, saved_at: Date.now(), updated_at: update ? Date.now() : null };
      return c.put("/__saved", new Response(JSON.stringify(about), { headers: { "Content-Type": "application/json" } }));
    });
  }).then(function () {
    delete saving[slug];
    return tell({ type: "saved", slug: slug, bytes: bytes, update: !!update });
  }, function (e) {
    delete saving[slug];
    return (update ? Promise.resolve() : caches.delete(name)).then(function () {
      return tell({ type: state.cancelled ? "cancelled" : "failed", slug: slug, error: String(e) });
    });
  });
}

// A saved course republished since: saved again, at the size chosen then.
// Asked on every page load (at most every five minutes) and when the
// connection comes back (always). A check that could not reach the server
// (the connection is not quite back yet) does not count: the next page
// load asks again.
var checked = 0;
function check(force) {
  if (!force && Date.now() - checked < 300000) return Promise.resolve();
  checked = Date.now();
  return checkNow().catch(function (e) { checked = 0; throw e; });
}
function checkNow() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(COURSE) === 0; }).map(function (k) {
      return caches.open(k).then(function (c) { return c.match("/__saved"); }).then(function (r) {
        return r && r.json();
      }).then(function (about) {
        if (!about || saving[about.slug]) return null;
        return fetch("/api/v1/courses/" + about.slug + "/offline", { credentials: "same-origin" }).then(function (r) {
          return r.ok ? r.json() : null;
        }).then(function (list) {
          if (list && list.version !== about.version) return save(list, about.limit, true);
          return null;
        });
      });
    }));
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

// Sends the queued events, oldest first, one sync at a time. Each carries
// its client event id: sending one twice is harmless, so an answer lost on
// the way only means sending it again. A quiz attempt keeps the server's
// score for the learner to see; a refusal is kept with its reason.
var syncing = null;
function sync() {
  if (!syncing) {
    syncing = send().then(function () { syncing = null; }, function (e) { syncing = null; throw e; });
  }
  return syncing;
}
function send() {
  return store("readonly", function (s) { return s.getAll(); }).then(function (all) {
    all = all.filter(function (e) { return !e.refused && !e.scored; })
      .sort(function (a, b) { return a.queued_at - b.queued_at; });
    function next(i) {
      if (i >= all.length) return null;
      var e = all[i], headers = { "X-CSRF-Token": e.csrf, Accept: "application/json" };
      if (e.body) headers["Content-Type"] = "application/json";
      return fetch(e.url + "?client_event_id=" + e.id, {
        method: "POST",
        credentials: "same-origin",
        headers: headers,
        body: e.body ? JSON.stringify(e.body) : undefined
      }).then(function (r) {
        if (r.ok && !e.body) return store("readwrite", function (s) { return s.delete(e.id); });
        if (r.status >= 500 || r.status === 429) throw new Error("retry later");
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (r.ok) {
            e.scored = { score: j.score, passed: j.passed, at: Date.now(),
              questions: (j.questions || []).map(function (q) { return { prompt: q.prompt, correct: q.correct }; }) };
          } else {
            e.refused = j.message || ("HTTP " + r.status);
          }
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
  if (m.type === "save") work = save(m.list, m.limit, false);
  if (m.type === "check") work = check(m.force).catch(function () { /* offline: later */ });
  if (m.type === "cancel" && saving[m.slug]) saving[m.slug].cancelled = true;
  if (m.type === "sync") work = sync().catch(function () { /* offline: later */ });
  if (work && event.waitUntil) event.waitUntil(work);
});
