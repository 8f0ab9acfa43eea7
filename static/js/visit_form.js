/* The visit form on a phone: outcome first, support and survey only when someone was contacted, leaflets
 * with + and −, and saving through the phone's queue (visit_queue.js) so it works with no network.
 * Without JavaScript the same form posts to the server as a plain form. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-visit-form]");
  if (!form || !window.GSVisitQueue) return;
  var queue = window.GSVisitQueue;

  // Offline, the service worker may hand us another door's form as a template: this door is in the URL.
  var match = location.pathname.match(/households\/([0-9a-f-]{36})\/visit\/?$/);
  var household = match ? match[1] : form.dataset.household;
  var door = queue.doorIndex()[household] || {};
  var walkUrl = door.walk_url || form.dataset.walkUrl;
  if (household !== form.dataset.household) {
    var title = document.querySelector("[data-door-address]");
    if (title && door.address) title.textContent = door.address;
    document.querySelectorAll("[data-back-to-walk]").forEach(function (a) { a.href = walkUrl; });
    form.dataset.household = household;
  }

  var contacted = form.querySelector("[data-when-contacted]");
  var errorBox = form.querySelector("[data-form-error]");

  function outcome() {
    var checked = form.querySelector("input[name=outcome]:checked");
    return checked ? checked.value : "";
  }
  function showContacted() {
    var on = outcome() === "contacted";
    if (contacted) contacted.hidden = !on;
  }
  form.querySelectorAll("input[name=outcome]").forEach(function (input) {
    input.addEventListener("change", showContacted);
  });
  showContacted();

  form.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = form.querySelector("input[name=leaflets_left]");
      var value = (parseInt(input.value || "0", 10) || 0) + parseInt(button.dataset.step, 10);
      input.value = Math.max(0, Math.min(50, value));
    });
  });

  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name=latitude]").value = position.coords.latitude;
      form.querySelector("input[name=longitude]").value = position.coords.longitude;
    }, function () { /* no position: the visit is logged without one */ }, { maximumAge: 60000, timeout: 10000 });
  }

  function answers() {
    var found = {};
    if (outcome() !== "contacted") return found;
    form.querySelectorAll("[data-question]").forEach(function (fieldset) {
      var code = fieldset.dataset.question;
      var input = fieldset.querySelector("input:checked") || fieldset.querySelector("input[type=text]");
      if (input && input.value.trim() !== "") found[code] = input.value.trim();
    });
    return found;
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.classList.remove("d-none");
    errorBox.scrollIntoView({ block: "center" });
  }

  function nextDoorUrl() {
    var pending = {};
    queue.pending().forEach(function (item) { pending[item.household] = true; });
    var index = queue.doorIndex();
    var next = door.next;
    var guard = 0;
    while (next && pending[next] && guard++ < 1000) next = (index[next] || {}).next;
    return walkUrl + (next ? "#door-" + next : "");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!outcome()) { showError(form.dataset.msgChoose); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var isContacted = outcome() === "contacted";
    var support = form.querySelector("input[name=support_level]:checked");
    var lat = form.querySelector("input[name=latitude]").value;
    var lon = form.querySelector("input[name=longitude]").value;
    var item = queue.add({
      household: household,
      outcome: outcome(),
      support_level: isContacted && support ? parseInt(support.value, 10) : null,
      leaflets_left: parseInt(form.querySelector("input[name=leaflets_left]").value || "0", 10) || 0,
      answers: answers(),
      note: form.querySelector("[name=note]").value,
      latitude: lat ? parseFloat(lat) : null,
      longitude: lon ? parseFloat(lon) : null
    });
    var timeout = new Promise(function (resolve) { setTimeout(function () { resolve(null); }, 8000); });
    Promise.race([queue.flush(), timeout]).then(function (result) {
      var refused = result && result.rejected.filter(function (r) { return r.code === item.code; })[0];
      if (refused) {
        queue.clearRejected(item.code);
        button.disabled = false;
        showError(Object.keys(refused.errors || {}).map(function (k) { return [].concat(refused.errors[k]).join(" "); }).join(" "));
        return;
      }
      location.href = nextDoorUrl();
    });
  });
})();
