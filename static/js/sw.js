/* The canvassing service worker. PRECACHE (asset URLs) and SCOPE are written in front of this file by
 * canvassing.views_visits.service_worker, which serves it under /c/<slug>/canvassing/ so that its scope
 * covers "My turfs", the walk screens and the visit forms.
 *
 * Pages: network first, so a volunteer with a signal always sees the truth; the copy of each page kept
 * when it last loaded is shown when there is no network. A visit form never seen offline falls back to
 * any visit form kept (the form is the same for every door; visit_form.js reads the door from the URL).
 * Assets: from the cache first. Writes are never cached or replayed here: visit_queue.js keeps them.
 * Signing out empties the kept pages (a "sign-out" message from sign_out.js), and so does any page of the
 * scope that the server answers by sending the phone to sign in: nobody else reads them offline.
 */
/* global PRECACHE, SCOPE */
"use strict";

var CACHE = "gs-canvassing-v1:" + SCOPE;
var SHELL = SCOPE + "__visit_form__";
var VISIT_FORM = /\/households\/[0-9a-f-]{36}\/visit\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("gs-canvassing-") === 0 && key.slice(-SCOPE.length) === SCOPE && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  // Only real pages: not a sign-in redirect, not an error.
  if (!response || !response.ok || response.redirected || response.type !== "basic") return response;
  var copy = response.clone();
  var path = new URL(request.url).pathname;
  caches.open(CACHE).then(function (cache) {
    cache.put(path, copy.clone());
    if (VISIT_FORM.test(path)) cache.put(SHELL, copy);
  });
  return response;
}

function forget() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("gs-canvassing-") === 0; })
      .map(function (key) { return caches.delete(key); }));
  });
}

function signedOut(response) {
  // A page of this scope answered by a redirect away from it: the session is gone (signed out, expired).
  return response && response.redirected && new URL(response.url).pathname.indexOf(SCOPE) !== 0;
}

function page(request) {
  var path = new URL(request.url).pathname;
  return fetch(request).then(function (response) {
    if (signedOut(response)) return forget().then(function () { return response; });
    return keep(request, response);
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(path).then(function (hit) {
        if (hit) return hit;
        if (VISIT_FORM.test(path)) return cache.match(SHELL);
        return undefined;
      });
    }).then(function (hit) {
      return hit || new Response("<h1>Offline</h1><p>This page was not opened before the network went away.</p>", {
        status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
      });
    });
  });
}

function asset(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(page(request));
  } else if (PRECACHE.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "sign-out") {  // static/js/sign_out.js, on the sign-out page
    event.waitUntil(forget());
    return;
  }
  if (data.type !== "warm" || !Array.isArray(data.urls)) return;
  event.waitUntil(Promise.all(data.urls.map(function (path) {
    if (path.indexOf(SCOPE) !== 0) return null;
    return fetch(path, { credentials: "same-origin" }).then(function (response) {
      return keep(new Request(new URL(path, self.location.origin).href), response);
    }).catch(function () { return null; });
  })));
});
