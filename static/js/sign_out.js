/* Signing out empties what the canvassing pages kept on this phone for offline use: the service worker's
 * copies of walk screens and visit forms (addresses, names, the script) and the index of doors seen. The
 * next person to pick up the phone, online or not, sees none of it.
 *
 * Visits still waiting to be sent stay: they are kept under the canvasser's own key (visit_queue.js) and
 * are sent when that canvasser signs in again, never under someone else's name.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var action = script && script.dataset.logoutUrl;
  var CACHE_PREFIX = "gs-canvassing-";
  var STORAGE_PREFIXES = ["gs-doors:", "gs-visits-rejected:"];

  function clearStorage() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i -= 1) {
        var key = localStorage.key(i);
        if (STORAGE_PREFIXES.some(function (prefix) { return key.indexOf(prefix) === 0; })) localStorage.removeItem(key);
      }
    } catch (e) { /* storage switched off: nothing kept */ }
  }

  function clearCaches() {
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key.indexOf(CACHE_PREFIX) === 0; })
          .map(function (key) { return caches.delete(key); }));
      }));
    }
    if ("serviceWorker" in navigator && navigator.serviceWorker.getRegistrations) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        registrations.forEach(function (registration) {
          var worker = registration.active || registration.waiting || registration.installing;
          if (worker) worker.postMessage({ type: "sign-out" });
        });
      }));
    }
    return Promise.all(jobs);
  }

  function signOutClear() {
    clearStorage();
    // Never keep someone from signing out: give up waiting after two seconds.
    return Promise.race([clearCaches().catch(function () {}), new Promise(function (done) { setTimeout(done, 2000); })]);
  }

  window.GSSignOut = { clear: signOutClear };

  document.querySelectorAll("form").forEach(function (form) {
    if (!action || new URL(form.action, location.href).pathname !== action) return;
    var cleared = false;
    form.addEventListener("submit", function (event) {
      if (cleared) return;
      event.preventDefault();
      var submitter = event.submitter;
      signOutClear().then(function () {
        cleared = true;
        if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
      });
    });
  });
})();
