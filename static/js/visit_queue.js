/* The phone's queue of visits waiting to be sent, and the service worker that keeps the canvassing pages
 * working without a network. Plain JS, no build step.
 *
 * Each visit is saved here first (localStorage, per campaign) with a code made on the phone
 * (crypto.randomUUID), then sent in batches to the sync API. The server treats a code it already has as
 * done, so a batch that was stored but whose answer never arrived is simply sent again.
 */
(function () {
  "use strict";

  var box = document.getElementById("visit-queue");
  if (!box) return;
  var slug = location.pathname.split("/")[2] || "";
  // Per member: visits queued by one canvasser are never sent in the session of the next one to sign in on
  // this phone; they wait for their canvasser (sign_out.js keeps them).
  var KEY = "gs-visits:" + slug + ":" + (box.dataset.member || "");
  var REJECTED = "gs-visits-rejected:" + slug;
  (function adoptUnownedQueue() {  // queues kept before they were per member
    var old = "gs-visits:" + slug;
    try {
      var items = JSON.parse(localStorage.getItem(old) || "[]");
      if (items.length && box.dataset.member) {
        localStorage.setItem(KEY, JSON.stringify(JSON.parse(localStorage.getItem(KEY) || "[]").concat(items)));
      }
      localStorage.removeItem(old);
    } catch (e) { /* storage switched off */ }
  })();
  var BATCH = 50;
  var flushing = null;
  var refusedAll = false;

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function write(key, items) { localStorage.setItem(key, JSON.stringify(items)); }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : box.dataset.csrf;
  }

  function render() {
    var pending = read(KEY);
    var rejected = read(REJECTED);
    var count = box.querySelector("[data-queue-count]");
    var offline = box.querySelector("[data-queue-offline]");
    var list = box.querySelector("[data-queue-rejected]");
    count.textContent = pending.length === 1 ? box.dataset.msgOne : box.dataset.msgMany.replace("%(n)s", pending.length);
    count.hidden = pending.length === 0;
    offline.textContent = refusedAll ? box.dataset.msgRefused : (navigator.onLine ? "" : box.dataset.msgOffline);
    list.innerHTML = "";
    rejected.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = box.dataset.msgRejected + " " + (r.address || r.household) + " — " + r.message;
      list.appendChild(li);
    });
    box.classList.toggle("d-none", pending.length === 0 && rejected.length === 0 && navigator.onLine);
    var queued = {};
    pending.forEach(function (item) { queued[item.household] = true; });
    document.querySelectorAll("[data-door]").forEach(function (door) {
      door.classList.toggle("is-queued", !!queued[door.dataset.door]);
    });
  }

  function add(item) {
    item.code = item.code || uuid4();
    item.visited_at = item.visited_at || new Date().toISOString();
    // The walk the door was on: the server still takes the visit if a re-cut moves the door meanwhile.
    item.turf = item.turf || (doorIndex()[item.household] || {}).turf || undefined;
    var pending = read(KEY);
    // A double tap submits the same form (the same code) twice: one visit.
    if (pending.some(function (queued) { return queued.code === item.code; })) return item;
    pending.push(item);
    write(KEY, pending);
    render();
    return item;
  }

  function errorText(errors) {
    if (!errors) return "";
    return Object.keys(errors).map(function (k) { return [].concat(errors[k]).join(" "); }).join(" ");
  }

  /* Send everything waiting, a batch at a time. Resolves with {sent, rejected: [{code, errors}]}. */
  function flush() {
    if (flushing) return flushing;
    var outcome = { sent: 0, rejected: [] };
    function next() {
      var pending = read(KEY);
      if (!pending.length || !navigator.onLine) return Promise.resolve(outcome);
      var batch = pending.slice(0, BATCH);
      return fetch(box.dataset.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify({ visits: batch })
      }).then(function (response) {
        if ([401, 403, 404].indexOf(response.status) !== -1 || response.redirected) {
          // Signed out, or no longer a member: retrying every 30 s cannot help. Keep the visits, say so.
          refusedAll = true;
          throw new Error("sync refused " + response.status);
        }
        if (!response.ok) throw new Error("sync answered " + response.status);
        return response.json();
      }).then(function (body) {
        var settled = {};
        var rejected = read(REJECTED);
        (body.results || []).forEach(function (result) {
          settled[result.code] = true;
          if (result.status === "rejected") {
            var item = batch.filter(function (b) { return b.code === result.code; })[0] || {};
            var address = (doorIndex()[item.household] || {}).address;
            rejected.push({ code: result.code, household: item.household, address: address, message: errorText(result.errors) });
            outcome.rejected.push(result);
          } else {
            outcome.sent += 1;
          }
        });
        write(REJECTED, rejected.slice(-20));
        write(KEY, read(KEY).filter(function (item) { return !settled[item.code]; }));
        render();
        return next();
      });
    }
    flushing = next().catch(function () { render(); return outcome; }).then(function (result) {
      flushing = null;
      return result;
    });
    return flushing;
  }

  function clearRejected(code) {
    write(REJECTED, read(REJECTED).filter(function (r) { return r.code !== code; }));
    render();
  }

  /* Doors the phone has seen, so the visit form can find its address and the next door offline. */
  function doorIndex() {
    try { return JSON.parse(localStorage.getItem("gs-doors:" + slug) || "{}"); } catch (e) { return {}; }
  }
  function remember(walk) {
    var index = doorIndex();
    walk.doors.forEach(function (door, i) {
      index[door.code] = {
        address: door.address,
        turf: walk.turf,
        walk_url: walk.walk_url,
        next: walk.doors[i + 1] ? walk.doors[i + 1].code : null
      };
    });
    localStorage.setItem("gs-doors:" + slug, JSON.stringify(index));
  }

  var walkJson = document.getElementById("walk-json");
  var walk = walkJson ? JSON.parse(walkJson.textContent) : null;
  if (walk) remember(walk);

  if ("serviceWorker" in navigator && box.dataset.swUrl && window.isSecureContext) {
    navigator.serviceWorker.register(box.dataset.swUrl, { scope: box.dataset.swScope }).then(function (registration) {
      // Keep one visit form as the offline template for any door of this turf, and the walk screen.
      var warm = [location.pathname];
      if (walk && walk.doors.length) warm.push(walk.doors[0].visit_url);
      var worker = registration.active || registration.waiting || registration.installing;
      if (worker) worker.postMessage({ type: "warm", urls: warm });
    }).catch(function () { /* offline use is a bonus: the pages work without it */ });
  }

  // Leaflet runs: one tap per door on the walk screen, through the queue like the visit form.
  document.querySelectorAll("form[data-quick-visit]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (form.dataset.sent) return;  // a double tap: this button's visit is already on its way
      form.dataset.sent = "1";
      add({
        code: data.get("code") || undefined,
        household: form.dataset.household,
        outcome: data.get("outcome"),
        leaflets_left: parseInt(data.get("leaflets_left") || "0", 10)
      });
      flush().then(function () { if (navigator.onLine) location.reload(); });
    });
  });

  var syncButton = box.querySelector("[data-queue-sync]");
  if (syncButton) syncButton.addEventListener("click", function () { flush(); });
  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (read(KEY).length && !refusedAll) flush(); }, 30000);

  window.GSVisitQueue = {
    add: add, flush: flush, pending: function () { return read(KEY); }, render: render,
    doorIndex: doorIndex, clearRejected: clearRejected, uuid4: uuid4
  };
  render();
  flush();
})();
