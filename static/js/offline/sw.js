// The field app's service worker (served at /sw.js by workbench/pwa.py, which puts self.PORTAL_SW in
// front: the version, the app shell's URLs, the offline page).
//
// Caches: "guilin-shell-<version>" holds the app shell (CSS, scripts, icons, the offline page), cache
// first; a new version installs beside the old one and waits until the page's "reload" button (or
// the last old page closing) lets it take over; activation deletes the old shell and every cached
// page, which name the old shell's files. "guilin-pages-u<user id>" holds the field pages a worker
// opened (workbench, log form, my issues, the queue, an issue, a red station's tap page), network
// first; with no network the copy is served, marked with when it was saved (app.js shows that and
// makes it read-only). Pages are only ever kept for the user they show; logging out deletes them.
// A form post to a field page that fails for want of network is kept in the queue (queue.js).
/* global PortalQueue */
"use strict";

var CONFIG = self.PORTAL_SW;
importScripts(CONFIG.idb, CONFIG.queue);

var SHELL_CACHE = "guilin-shell-" + CONFIG.version;
var PAGES_PREFIX = "guilin-pages-u";
var SYNC_TAG = "guilin-field-queue";
var MAX_PAGES = 60;
// The field pages kept for offline use (GET), and those whose form posts are queued when they fail.
var PAGE_PATTERNS = [/^\/$/, /^\/issues\/new\/$/, /^\/issues\/mine\/$/, /^\/app\/queue\/$/, /^\/issues\/\d+\/$/,
  /^\/service-points\/staff\/points\/\d+\/log\/$/];
var POST_PATTERNS = [/^\/issues\/new\/$/, /^\/service-points\/staff\/points\/\d+\/log\/$/, /^\/issues\/\d+\/do\/feedback\/$/];

function matches(patterns, path) {
  return patterns.some(function (pattern) { return pattern.test(path); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell.concat([CONFIG.offline]));
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return (name.indexOf("guilin-shell-") === 0 && name !== SHELL_CACHE) || name.indexOf(PAGES_PREFIX) === 0;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "WARM") {
    event.waitUntil(warm(data.urls || []));
  } else if (data.type === "FLUSH") {
    event.waitUntil(PortalQueue.flush());
  }
});

// Background Sync: the browser wakes the worker when the network is back, even with the app closed.
self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) { return; }
  event.waitUntil(PortalQueue.flush().then(function (result) {
    if (result.retry) { throw new Error("network or server not ready: the browser retries later"); }
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    if (request.mode === "navigate" && matches(POST_PATTERNS, url.pathname)) {
      event.respondWith(postOrQueue(request));
    }
    return;
  }
  if (request.method !== "GET") { return; }
  if (CONFIG.shell.indexOf(url.pathname) >= 0 || url.pathname === CONFIG.offline) {
    event.respondWith(caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
    }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  }
});

function userOfPage(html) {
  var match = /<meta name="portal-user" content="(\d*)">/.exec(html);
  return match ? match[1] : "";
}

async function keepPage(path, response) {
  var html = await response.clone().text();
  var user = userOfPage(html);
  if (!user) { return; }
  var names = await caches.keys();
  // Pages of another user never stay beside this one's.
  await Promise.all(names.filter(function (name) {
    return name.indexOf(PAGES_PREFIX) === 0 && name !== PAGES_PREFIX + user;
  }).map(function (name) { return caches.delete(name); }));
  var headers = new Headers(response.headers);
  headers.set("X-Portal-Saved-At", new Date().toISOString());
  var cache = await caches.open(PAGES_PREFIX + user);
  await cache.put(path, new Response(html, { status: 200, headers: headers }));
  var keys = await cache.keys();
  for (var i = 0; i < keys.length - MAX_PAGES; i += 1) { await cache.delete(keys[i]); }
}

async function cachedPage(path) {
  var user = await PortalQueue.currentUser();
  if (!user) { return null; }
  var cache = await caches.open(PAGES_PREFIX + user);
  var hit = await cache.match(path);
  if (!hit) { return null; }
  var html = await hit.text();
  if (userOfPage(html) !== String(user)) { return null; }
  var savedAt = hit.headers.get("X-Portal-Saved-At") || "";
  html = html.replace("<head>", "<head><meta name=\"portal-saved-at\" content=\"" + savedAt + "\">");
  var headers = new Headers(hit.headers);
  headers.delete("Content-Length");
  return new Response(html, { status: 200, headers: headers });
}

async function page(request, url) {
  var keep = matches(PAGE_PATTERNS, url.pathname);
  try {
    var response = await fetch(request);
    if (keep && response.ok && !response.redirected && response.type === "basic") {
      keepPage(url.pathname, response.clone()).catch(function () {});
    }
    return response;
  } catch (error) {
    var copy = keep ? await cachedPage(url.pathname) : null;
    if (copy) { return copy; }
    var cache = await caches.open(SHELL_CACHE);
    return (await cache.match(CONFIG.offline)) || Response.error();
  }
}

async function warm(urls) {
  for (var i = 0; i < urls.length; i += 1) {
    var path = new URL(urls[i], self.location.origin).pathname;
    if (!matches(PAGE_PATTERNS, path)) { continue; }
    try {
      var response = await fetch(path, { credentials: "same-origin", redirect: "manual" });
      if (response.ok && response.type === "basic") { await keepPage(path, response); }
    } catch (error) {
      return; // no network: the next page load tries again
    }
  }
}

// A field form posted with no network: kept in the queue under the user the pages show, with the
// same client_key (if the post did reach the server, the resend finds that issue and logs nothing).
async function postOrQueue(request) {
  var copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    var user = await PortalQueue.currentUser();
    if (!user) { return Response.error(); }
    var form = await copy.formData();
    var fields = [];
    var files = [];
    var entries = Array.from(form.entries());
    for (var i = 0; i < entries.length; i += 1) {
      var name = entries[i][0];
      var value = entries[i][1];
      if (name === "csrfmiddlewaretoken") { continue; }
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (value.size) {
        var photo = await PortalQueue.resizePhoto(value);
        files.push({ field: name, blob: photo.blob, name: photo.name });
      }
    }
    var path = new URL(request.url).pathname;
    var kind = /^\/issues\/new\//.test(path) ? "issue" : /\/log\/$/.test(path) ? "red_station" : "feedback";
    var description = form.get("description") || form.get("note") || "";
    var id = await PortalQueue.save({
      owner: user, kind: kind, url: path, fields: fields, files: files, client_key: form.get("client_key") || "",
      taken_at: new Date().toISOString(), summary: String(description).slice(0, 60), state: "waiting", labels: {},
    });
    if (self.registration.sync) { self.registration.sync.register(SYNC_TAG).catch(function () {}); }
    return Response.redirect(new URL("/app/queue/?saved=" + id, self.location.origin).href, 303);
  }
}
