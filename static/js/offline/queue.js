// The field app's send queue, shared by the pages (app.js) and the service worker (sw.js).
//
// A submission made with no network is kept in IndexedDB (database "guilin-field", store "queue",
// in the order it was made) with its owner (the user id), its form fields, its photos (resized on
// the phone), its one-time client_key and the time it was taken. flush() sends the owner's items in
// order, each exactly once: the server answers a client_key it has seen with the same issue (200),
// so a resend after a lost answer logs nothing new. An answer that refuses an item (a form error,
// a unit no longer in the worker's jurisdiction) keeps it with the reason; a network failure or a
// busy server stops the round (in order) to try again later; an expired session waits for the log-in.
// Only the user the server says is logged in has items sent, so another user on the phone never
// sends (or sees) them. No user interface text here: reasons are codes or the server's own messages.
/* global idb */
(function (root) {
  "use strict";

  var DB_NAME = "guilin-field";
  var LOCK = "guilin-field-queue";
  var CHANNEL = "guilin-field-queue";
  var SESSION_URL = "/app/session/";
  var LOGIN_PATH = "/accounts/login/";
  // The portal's limits (guilin_portal/uploads.py, Issue.MAX_PHOTOS); /app/session/ sends the current ones.
  var DEFAULT_LIMITS = { max_bytes: 10 * 1024 * 1024, max_pixels: 40000000, max_photos: 6, long_edge: 2560 };
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          var queue = database.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
          queue.createIndex("owner", "owner");
          database.createObjectStore("meta");
        },
      });
    }
    return dbPromise;
  }

  function notify(message) {
    if (typeof BroadcastChannel === "function") {
      var channel = new BroadcastChannel(CHANNEL);
      channel.postMessage(message);
      channel.close();
    }
  }

  function ownerKey(owner) {
    return owner === null || owner === undefined ? "" : String(owner);
  }

  async function list(owner) {
    if (!owner) { return []; }
    var database = await db();
    return database.getAllFromIndex("queue", "owner", ownerKey(owner)); // keys ascending: the order made
  }

  async function count(owner) {
    if (!owner) { return 0; }
    var database = await db();
    return database.countFromIndex("queue", "owner", ownerKey(owner));
  }

  async function get(id, owner) {
    var database = await db();
    var item = await database.get("queue", Number(id));
    return item && item.owner === ownerKey(owner) ? item : undefined;
  }

  async function save(item) {
    var database = await db();
    item.owner = ownerKey(item.owner);
    var id = await database.put("queue", item);
    notify({ type: "changed" });
    return id;
  }

  async function remove(id, owner) {
    var database = await db();
    var item = await get(id, owner);
    if (item) { await database.delete("queue", item.id); }
    notify({ type: "changed" });
  }

  async function meta(key, value) {
    var database = await db();
    if (arguments.length > 1) { return database.put("meta", value, key); }
    return database.get("meta", key);
  }

  // The user the pages last showed (null after logging out): pages cached for the offline use are theirs.
  function currentUser(value) {
    return arguments.length ? meta("user", value === null ? null : ownerKey(value)) : meta("user");
  }

  async function sentLog(owner, entry) {
    var key = "sent:" + ownerKey(owner);
    var log = (await meta(key)) || [];
    if (entry) {
      log.unshift(entry);
      log = log.slice(0, 20);
      await meta(key, log);
    }
    return log;
  }

  // ---------------------------------------------------------------------------------------------
  // Photos: brought down to the portal's limits on the phone (long edge, pixels, bytes) as JPEG.
  // ---------------------------------------------------------------------------------------------
  async function limits() {
    try {
      return Object.assign({}, DEFAULT_LIMITS, (await meta("limits")) || {});
    } catch (error) {
      return DEFAULT_LIMITS;
    }
  }

  function canvasFor(width, height) {
    if (typeof OffscreenCanvas === "function") { return new OffscreenCanvas(width, height); }
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }

  function toBlob(canvas, quality) {
    if (canvas.convertToBlob) { return canvas.convertToBlob({ type: "image/jpeg", quality: quality }); }
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  async function resizePhoto(file) {
    var limit = await limits();
    if (typeof createImageBitmap !== "function") { return { blob: file, name: file.name || "photo.jpg" }; }
    var bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (error) {
      return { blob: file, name: file.name || "photo" }; // not an image we can read: the server says why
    }
    var scale = Math.min(1, limit.long_edge / Math.max(bitmap.width, bitmap.height),
      Math.sqrt(limit.max_pixels / (bitmap.width * bitmap.height)));
    if (scale === 1 && file.size <= limit.max_bytes && /^image\/jpeg$/.test(file.type) && file.size < 1024 * 1024) {
      bitmap.close && bitmap.close();
      return { blob: file, name: file.name || "photo.jpg" }; // already small: kept as taken
    }
    var width = Math.max(1, Math.round(bitmap.width * scale));
    var height = Math.max(1, Math.round(bitmap.height * scale));
    var canvas = canvasFor(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    bitmap.close && bitmap.close();
    var quality = 0.85;
    var blob = await toBlob(canvas, quality);
    while (blob && blob.size > limit.max_bytes && quality > 0.3) {
      quality -= 0.15;
      blob = await toBlob(canvas, quality);
    }
    var base = (file.name || "photo").replace(/\.[^.]*$/, "");
    return { blob: blob || file, name: base + ".jpg", width: width, height: height };
  }

  // ---------------------------------------------------------------------------------------------
  // Sending
  // ---------------------------------------------------------------------------------------------
  async function session() {
    var response = await fetch(SESSION_URL, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) { throw new Error("session " + response.status); }
    var data = await response.json();
    if (data.limits) { await meta("limits", data.limits); }
    return data;
  }

  function text(html) {
    return html.replace(/<[^>]*>/g, "").replace(/&nbsp;/g, " ").replace(/&amp;/g, "&").replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#x27;|&#39;/g, "'").replace(/\s+/g, " ").trim();
  }

  // The reasons a refused page gives: its field errors and its error or warning messages.
  function reasonsFromHtml(html) {
    var reasons = [];
    var pattern = /<ul class="errorlist[^"]*"[^>]*>([\s\S]*?)<\/ul>|<li class="msg-(?:error|warning)">([\s\S]*?)<\/li>/g;
    var match;
    while ((match = pattern.exec(html)) !== null) {
      var body = match[1] !== undefined ? match[1] : "<li>" + match[2] + "</li>";
      body.replace(/<li[^>]*>([\s\S]*?)<\/li>/g, function (_, item) {
        var line = text(item);
        if (line && reasons.indexOf(line) < 0) { reasons.push(line); }
        return "";
      });
    }
    return reasons;
  }

  function reasonsFromJson(data, labels) {
    var reasons = [];
    Object.keys((data && data.errors) || {}).forEach(function (field) {
      data.errors[field].forEach(function (error) {
        var label = field === "__all__" ? "" : (labels && labels[field]) || field;
        reasons.push((label ? label + "：" : "") + (error.message || error));
      });
    });
    return reasons;
  }

  async function sendOne(item, csrf) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    (item.files || []).forEach(function (file) { body.append(file.field, file.blob, file.name); });
    body.append("csrfmiddlewaretoken", csrf);
    var response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "follow",
        headers: { "X-Portal-Queue": "1", "X-CSRFToken": csrf },
      });
    } catch (error) {
      return { outcome: "retry", code: "network" };
    }
    if (new URL(response.url).pathname.indexOf(LOGIN_PATH) === 0) { return { outcome: "login", code: "login" }; }
    if (response.status >= 500 || response.status === 429) { return { outcome: "retry", code: "server" }; }
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === 0) {
      var data = await response.json();
      if (response.ok) { return { outcome: "sent", id: data.id, url: data.url, created: data.created }; }
      return { outcome: "refused", code: "refused", status: response.status, reasons: reasonsFromJson(data, item.labels) };
    }
    var html = await response.text();
    if (response.ok && response.redirected) { return { outcome: "sent", url: new URL(response.url).pathname }; }
    return { outcome: "refused", code: "refused", status: response.status, reasons: reasonsFromHtml(html) };
  }

  function withLock(work) {
    var locks = root.navigator && root.navigator.locks;
    return locks && locks.request ? locks.request(LOCK, work) : work();
  }

  // Sends the logged-in user's waiting items, oldest first. Returns what happened; retry=true when the
  // network or the server stopped the round (Background Sync then tries again).
  function flush() {
    return withLock(async function () {
      var result = { sent: 0, refused: 0, retry: false, login: false, user: null };
      var who;
      try {
        who = await session();
      } catch (error) {
        result.retry = true;
        return result;
      }
      result.user = who.user;
      if (!who.user) {
        result.login = true;
        notify({ type: "login" });
        return result;
      }
      var items = await list(who.user);
      for (var i = 0; i < items.length; i += 1) {
        var item = items[i];
        if (item.state === "refused") { continue; }
        item.attempts = (item.attempts || 0) + 1;
        item.tried_at = new Date().toISOString();
        var answer = await sendOne(item, who.csrf);
        if (answer.outcome === "sent") {
          var database = await db();
          await database.delete("queue", item.id);
          await sentLog(who.user, { kind: item.kind, summary: item.summary, url: answer.url || "",
            id: answer.id || null, created: answer.created !== false, taken_at: item.taken_at,
            sent_at: new Date().toISOString() });
          result.sent += 1;
          notify({ type: "sent", url: answer.url || "" });
          continue;
        }
        item.code = answer.code;
        if (answer.outcome === "refused") {
          item.state = "refused";
          item.reasons = answer.reasons;
          item.status = answer.status;
          await save(item);
          result.refused += 1;
          continue;
        }
        await save(item); // waiting, with why it did not go yet
        if (answer.outcome === "login") {
          result.login = true;
          notify({ type: "login" });
        } else {
          result.retry = true;
        }
        break; // in order: nothing after it goes before it
      }
      notify({ type: "changed" });
      return result;
    });
  }

  root.PortalQueue = {
    db: db,
    list: list,
    count: count,
    get: get,
    save: save,
    remove: remove,
    meta: meta,
    currentUser: currentUser,
    sentLog: sentLog,
    resizePhoto: resizePhoto,
    flush: flush,
    sendOne: sendOne,
    reasonsFromHtml: reasonsFromHtml,
    CHANNEL: CHANNEL,
  };
})(self);
