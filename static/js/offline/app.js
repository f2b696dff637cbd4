// The field app on every page: the service worker (install, update prompt), the install button, the
// header's count of waiting items, pages opened from the phone's copy (read-only, with their time),
// logging out (the cached pages go), the field forms that go to the queue with no network, and the
// "待发送" page (each item with its reason; send, fix and resend, or discard). Sending: Background
// Sync where the browser has it; otherwise on the `online` event, on page load and on a timer.
/* global PortalQueue */
(function () {
  "use strict";

  if (!("indexedDB" in window) || !window.PortalQueue) { return; }
  var Q = window.PortalQueue;
  var SYNC_TAG = "guilin-field-queue";
  var WARM_EVERY_MS = 10 * 60 * 1000;
  var TIMER_MS = 30 * 1000;
  var strings = (document.getElementById("app-strings") || { dataset: {} }).dataset;
  var userMeta = document.querySelector("meta[name=portal-user]");
  var savedAtMeta = document.querySelector("meta[name=portal-saved-at]");
  var fromPhone = !!savedAtMeta; // this page is the copy kept on the phone (served with no network)
  var pageUser = userMeta ? userMeta.content : "";
  var user = pageUser || null;

  function pick(prefix, code) {
    code = String(code || "");
    return strings[prefix + code.charAt(0).toUpperCase() + code.slice(1)] || code;
  }

  function say(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function localTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return (date.getMonth() + 1) + "-" + pad(date.getDate()) + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function banner(selector, message) {
    var element = document.querySelector(selector);
    if (!element) { return; }
    element.textContent = message || "";
    element.hidden = !message;
  }

  // -------------------------------------------------------------------------------------------
  // Who is using the phone: cached pages are only ever the current user's.
  // -------------------------------------------------------------------------------------------
  async function dropPages(exceptUser) {
    if (!("caches" in window)) { return; }
    var names = await caches.keys();
    await Promise.all(names.filter(function (name) {
      return name.indexOf("guilin-pages-u") === 0 && name !== "guilin-pages-u" + exceptUser;
    }).map(function (name) { return caches.delete(name); }));
  }

  async function settleUser() {
    if (fromPhone) {
      user = (await Q.currentUser()) || null;
      return;
    }
    var before = await Q.currentUser();
    if (String(before || "") !== String(pageUser || "")) {
      await dropPages(pageUser || "none");
    }
    await Q.currentUser(pageUser || null);
  }

  // Logging out: the cached pages go before the session does; the queue stays the user's own.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || new URL(form.action).pathname !== "/accounts/logout/") { return; }
    if (form.dataset.cleared === "1") { return; }
    event.preventDefault();
    Promise.all([dropPages("none"), Q.currentUser(null)]).catch(function () {}).then(function () {
      form.dataset.cleared = "1";
      form.submit();
    });
  }, true);

  // -------------------------------------------------------------------------------------------
  // The service worker: registered from the root; a new version waits for the worker's "reload".
  // -------------------------------------------------------------------------------------------
  var registration = null;
  function offerUpdate(worker) {
    var box = document.querySelector("[data-update-banner]");
    if (!box || !worker) { return; }
    box.hidden = false;
    box.querySelector("[data-update-reload]").onclick = function () {
      worker.postMessage({ type: "SKIP_WAITING" });
    };
  }

  if ("serviceWorker" in navigator) {
    var reloading = false;
    var hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // A new version took over (after the "reload" button): no page stays on the old shell.
      if (reloading || !hadController) { hadController = true; return; }
      reloading = true;
      window.location.reload();
    });
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      registration = reg;
      if (reg.waiting && navigator.serviceWorker.controller) { offerUpdate(reg.waiting); }
      reg.addEventListener("updatefound", function () {
        var worker = reg.installing;
        worker && worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) { offerUpdate(worker); }
        });
      });
      warm();
    }).catch(function () {});
  }

  // The worker's field pages, fetched now and then so they open with no network.
  function warm() {
    if (!user || fromPhone || !navigator.onLine || !navigator.serviceWorker) { return; }
    var last = Number(localStorage.getItem("guilin-field-warmed:" + user) || 0);
    if (Date.now() - last < WARM_EVERY_MS) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      var links = ["/", "/issues/new/", "/issues/mine/", "/app/queue/"];
      reg.active && reg.active.postMessage({ type: "WARM", urls: links });
      localStorage.setItem("guilin-field-warmed:" + user, String(Date.now()));
    });
  }

  // The install button, where the browser offers one (Chrome and most Android browsers).
  var deferredPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferredPrompt = event;
    var button = document.querySelector("[data-install]");
    if (!button) { return; }
    button.hidden = false;
    button.onclick = function () {
      button.hidden = true;
      deferredPrompt.prompt();
      deferredPrompt = null;
    };
  });
  window.addEventListener("appinstalled", function () {
    var button = document.querySelector("[data-install]");
    if (button) { button.hidden = true; }
  });

  // -------------------------------------------------------------------------------------------
  // The header's count, and sending.
  // -------------------------------------------------------------------------------------------
  async function refreshCount() {
    var link = document.querySelector("[data-queue-link]");
    var items = user ? await Q.list(user) : [];
    if (link) {
      link.hidden = items.length === 0;
      link.querySelector("[data-queue-count]").textContent = String(items.length);
      link.classList.toggle("refused", items.some(function (item) { return item.state === "refused"; }));
    }
    renderQueue(items);
    return items;
  }

  var flushing = null;
  var backoff = 1000;
  var retryTimer = null;
  function flush() {
    if (!user || flushing) { return flushing; }
    window.clearTimeout(retryTimer);
    flushing = Q.flush().then(function (result) {
      if (result.sent) { banner("[data-queued-banner]", say(strings.sent, { n: result.sent })); }
      if (result.login) { banner("[data-queued-banner]", strings.login); }
      // The network is said to be back but did not carry the round (a reconnecting phone): try again
      // soon, then less often (1, 2, 4 ... 30 s), rather than wait for the timer.
      if (result.retry && navigator.onLine) {
        retryTimer = window.setTimeout(flush, backoff);
        backoff = Math.min(backoff * 2, TIMER_MS);
      } else {
        backoff = 1000;
      }
      return result;
    }).catch(function () {}).then(function (result) {
      flushing = null;
      return refreshCount().then(function () { return result; });
    });
    return flushing;
  }
  window.PortalField = { flush: flush, refreshCount: refreshCount };

  async function askForSync() {
    try {
      var reg = await navigator.serviceWorker.ready;
      if (reg.sync) { await reg.sync.register(SYNC_TAG); return true; }
    } catch (error) { /* no Background Sync: online event, page load and the timer send */ }
    return false;
  }

  if (typeof BroadcastChannel === "function") {
    var channel = new BroadcastChannel(Q.CHANNEL);
    channel.onmessage = function () { refreshCount(); };
  }
  window.addEventListener("online", flush);
  window.setInterval(function () {
    if (navigator.onLine) {
      Q.count(user).then(function (n) { if (n) { flush(); } });
    }
  }, TIMER_MS);

  // -------------------------------------------------------------------------------------------
  // A page opened from the phone's copy: say when it was saved; what cannot be done offline is off.
  // -------------------------------------------------------------------------------------------
  function markReadOnly() {
    if (!fromPhone) { return; }
    banner("[data-saved-banner]", say(strings.savedAt, { time: localTime(savedAtMeta.content) }));
    document.querySelectorAll("main form").forEach(function (form) {
      if (queueKind(form)) { return; }
      form.classList.add("offline-read-only");
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.title = strings.offlineDisabled || "";
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Field forms: with no network they go to the queue, whatever fields the form has.
  // -------------------------------------------------------------------------------------------
  function queueKind(form) {
    if (form.dataset.offlineQueue) { return form.dataset.offlineQueue; }
    var path = new URL(form.action, window.location.href).pathname;
    if (path === "/issues/new/") { return "issue"; }
    if (/^\/service-points\/staff\/points\/\d+\/log\/$/.test(path)) { return "red_station"; }
    if (/^\/issues\/\d+\/do\/feedback\/$/.test(path)) { return "feedback"; }
    return "";
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  function labelsOf(form) {
    var labels = {};
    form.querySelectorAll("label[for]").forEach(function (label) {
      var field = document.getElementById(label.htmlFor);
      if (field && field.name) { labels[field.name] = label.textContent.replace(/[:：]\s*$/, "").trim(); }
    });
    return labels;
  }

  function summaryOf(form, kind, submitter) {
    var text = [];
    var category = form.querySelector("select[name=category]");
    if (category && category.selectedIndex > 0) { text.push(category.options[category.selectedIndex].text); }
    if (kind === "red_station" && submitter) { text.push(submitter.textContent.trim()); }
    var words = form.querySelector("[name=description]") || form.querySelector("[name=note]");
    if (words && words.value) { text.push(words.value.slice(0, 60)); }
    var heading = document.querySelector("main h1");
    if (kind !== "issue" && heading) { text.unshift(heading.firstChild ? heading.firstChild.textContent.trim() : ""); }
    return text.filter(Boolean).join(" · ");
  }

  function localInput(date) {
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  async function queueForm(form, submitter, kind) {
    var data = submitter ? new FormData(form, submitter) : new FormData(form);
    var fields = [];
    var files = [];
    var taken = new Date();
    var entries = Array.from(data.entries());
    for (var i = 0; i < entries.length; i += 1) {
      var name = entries[i][0];
      var value = entries[i][1];
      if (name === "csrfmiddlewaretoken") { continue; }
      if (typeof value === "string") {
        // A one-tap service with no time given happened now, not when the network comes back.
        if (kind === "red_station" && name === "served_at" && !value) { value = localInput(taken); }
        fields.push([name, value]);
      } else if (value && value.size) {
        var photo = await Q.resizePhoto(value);
        files.push({ field: name, blob: photo.blob, name: photo.name });
      }
    }
    var keyField = form.querySelector("[name=client_key]");
    var item = {
      owner: user,
      kind: kind,
      url: new URL(form.action, window.location.href).pathname,
      fields: fields,
      files: files,
      client_key: keyField ? keyField.value : "",
      taken_at: taken.toISOString(),
      summary: summaryOf(form, kind, submitter),
      labels: labelsOf(form),
      state: "waiting",
    };
    var fixing = form.dataset.fixing;
    if (fixing) {
      var before = await Q.get(fixing, user);
      if (before) {
        item.id = before.id; // keeps its place in the order and its client_key
        item.taken_at = before.taken_at;
        item.client_key = before.client_key;
        item.fields = item.fields.map(function (pair) {
          return pair[0] === "client_key" ? ["client_key", before.client_key] : pair;
        });
      }
    }
    var lat = data.get("latitude") || data.get("lat");
    var lng = data.get("longitude") || data.get("lng");
    if (lat && lng) { item.location = { lat: lat, lng: lng, accuracy: data.get("accuracy") || data.get("location_accuracy") || "" }; }
    await Q.save(item);
    return item;
  }

  function resetForm(form) {
    form.reset();
    delete form.dataset.fixing;
    delete form.dataset.sent;
    var keyField = form.querySelector("[name=client_key]");
    if (keyField) { keyField.value = newKey(); }
    form.querySelectorAll("li[data-staged]").forEach(function (item) { item.remove(); });
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.value = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = false; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = queueKind(form);
    if (!kind || !user) { return; }
    if (navigator.onLine && !fromPhone) { return; } // sent now; a post that fails is kept by the worker (sw.js)
    event.preventDefault();
    event.stopImmediatePropagation();
    if (form.dataset.queueing === "1") { return; }
    form.dataset.queueing = "1";
    queueForm(form, event.submitter, kind).then(function () {
      resetForm(form);
      banner("[data-queued-banner]", strings.queued);
      window.scrollTo(0, 0);
      askForSync();
      return refreshCount();
    }).catch(function (error) {
      banner("[data-queued-banner]", String(error));
    }).then(function () {
      delete form.dataset.queueing;
    });
  }, true);

  // "修改后重发": the log form filled from a refused item (its photos too); submitting replaces it.
  async function fillFromQueue() {
    var id = new URLSearchParams(window.location.search).get("fix");
    var form = document.querySelector("main form[method=post]");
    if (!id || !form || queueKind(form) !== "issue") { return; }
    var item = await Q.get(id, user);
    if (!item) { return; }
    form.dataset.fixing = String(item.id);
    item.fields.forEach(function (pair) {
      var field = form.querySelector("[name=\"" + pair[0] + "\"]");
      if (!field || field.type === "file") { return; }
      if (field.type === "checkbox" || field.type === "radio") {
        var box = form.querySelector("[name=\"" + pair[0] + "\"][value=\"" + pair[1] + "\"]");
        if (box) { box.checked = true; }
      } else {
        field.value = pair[1];
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    if (typeof DataTransfer === "function") {
      var byField = {};
      (item.files || []).forEach(function (file) {
        (byField[file.field] = byField[file.field] || new DataTransfer()).items.add(
          new File([file.blob], file.name, { type: file.blob.type || "image/jpeg" }));
      });
      Object.keys(byField).forEach(function (name) {
        var input = form.querySelector("input[type=file][name=\"" + name + "\"]");
        if (input) { input.files = byField[name].files; input.dispatchEvent(new Event("change", { bubbles: true })); }
      });
    }
    banner("[data-queued-banner]", strings.fixing + ((item.reasons || []).length ? " " + item.reasons.join("；") : ""));
    // Resending a fixed item goes through the queue even with a network: it keeps its key and place.
    form.addEventListener("submit", function (event) {
      if (!form.dataset.fixing) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      queueForm(form, event.submitter, "issue").then(function () {
        window.location.href = "/app/queue/";
      });
    }, true);
  }

  // -------------------------------------------------------------------------------------------
  // The "待发送" page.
  // -------------------------------------------------------------------------------------------
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function renderQueue(items) {
    var listNode = document.getElementById("queue-list");
    if (!listNode) { return; }
    listNode.textContent = "";
    var empty = document.querySelector("[data-queue-empty]");
    if (empty) { empty.hidden = items.length > 0; }
    var sendButton = document.querySelector("[data-queue-send]");
    if (sendButton) { sendButton.hidden = !items.some(function (item) { return item.state !== "refused"; }); }
    items.forEach(function (item) {
      var row = element("li", item.state === "refused" ? "refused" : "");
      row.dataset.queueItem = String(item.id);
      row.dataset.state = item.state;
      var title = element("strong", "", pick("kind", item.kind) + " · ");
      row.appendChild(title);
      row.appendChild(document.createTextNode(item.summary || ""));
      var meta = element("div", "meta");
      var state = item.state === "refused" ? strings.stateRefused : strings.stateWaiting;
      var why = item.state !== "refused" && item.code ? "（" + pick("code", item.code) + "）" : "";
      meta.textContent = (strings.takenAt || "") + " " + localTime(item.taken_at) + " · " + state + why +
        ((item.files || []).length ? " · " + item.files.length + " " + (strings.photos || "") : "");
      row.appendChild(meta);
      if ((item.files || []).length) {
        var thumbs = element("ul", "queue-thumbs");
        item.files.forEach(function (file) {
          var li = element("li");
          var img = element("img");
          img.src = URL.createObjectURL(file.blob);
          img.alt = file.name;
          li.appendChild(img);
          thumbs.appendChild(li);
        });
        row.appendChild(thumbs);
      }
      if (item.state === "refused") {
        var reasons = element("ul", "reasons");
        (item.reasons && item.reasons.length ? item.reasons : [strings.codeRefused + " (" + (item.status || "") + ")"]).forEach(function (reason) {
          reasons.appendChild(element("li", "", reason));
        });
        row.appendChild(reasons);
      }
      var actions = element("div", "actions");
      if (item.state === "refused" && item.kind === "issue") {
        var fix = element("a", "button primary", strings.fix);
        fix.href = listNode.dataset.issueForm + "?fix=" + item.id;
        actions.appendChild(fix);
      }
      if (item.state === "refused") {
        var resend = element("button", "", strings.resend);
        resend.type = "button";
        resend.dataset.resend = String(item.id);
        actions.appendChild(resend);
      }
      var discard = element("button", "", strings.discard);
      discard.type = "button";
      discard.dataset.discard = String(item.id);
      actions.appendChild(discard);
      row.appendChild(actions);
      listNode.appendChild(row);
    });
  }

  async function renderSent() {
    var listNode = document.getElementById("queue-sent");
    if (!listNode || !user) { return; }
    var log = await Q.sentLog(user);
    listNode.textContent = "";
    log.forEach(function (entry) {
      var li = element("li");
      var text = localTime(entry.sent_at) + " " + pick("kind", entry.kind) + " · " + (entry.summary || "");
      if (entry.url) {
        var link = element("a", "", entry.id ? "#" + entry.id : text);
        link.href = entry.url;
        li.appendChild(link);
        if (entry.id) { li.appendChild(document.createTextNode(" " + text)); }
      } else {
        li.textContent = text;
      }
      listNode.appendChild(li);
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-queue-send]")) {
      flush().then(renderSent);
      return;
    }
    var resend = target.closest("[data-resend]");
    if (resend) {
      Q.get(resend.dataset.resend, user).then(function (item) {
        if (!item) { return; }
        item.state = "waiting";
        item.reasons = [];
        return Q.save(item).then(function () { return flush(); }).then(renderSent);
      });
      return;
    }
    var discard = target.closest("[data-discard]");
    if (discard && window.confirm(strings.discardConfirm)) {
      Q.remove(discard.dataset.discard, user).then(refreshCount);
    }
  });

  // -------------------------------------------------------------------------------------------
  // On load
  // -------------------------------------------------------------------------------------------
  settleUser().then(function () {
    if (fromPhone) {
      // The copy's one-time key may have been used by the page it was saved from: a fresh one.
      document.querySelectorAll("main form [name=client_key]").forEach(function (field) { field.value = newKey(); });
    }
    markReadOnly();
    if (new URLSearchParams(window.location.search).get("saved")) { banner("[data-queued-banner]", strings.queued); }
    return Promise.all([refreshCount(), fillFromQueue(), renderSent()]);
  }).then(function () {
    if (user && navigator.onLine) { return flush().then(renderSent); }
  }).catch(function () {});
})();
