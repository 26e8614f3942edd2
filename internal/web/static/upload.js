// picup viewer, uploads: the "Add photos" button of a link that takes
// them. It opens the tablet's photo picker, asks for the guest's name
// first when the device has none (family.js's window.picupNeedName), and
// sends each file with the tus resumable-upload protocol: a dropped
// connection picks up where it stopped. tus-js-client (static/tus.min.js)
// and the sheet's styles are loaded on the first tap only. The server's
// answer for each file (added, already in the album, over quota …) is
// shown as it says it, with textContent.
(function () {
  "use strict";
  var btn = document.getElementById("add-photos");
  if (!btn) return;
  var main = document.getElementById("photos");
  var T = btn.dataset; // the words: data-choose, data-close, data-waiting …
  var atOnce = 3; // files sending at once (the server takes four per device)

  var input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.accept = "image/*,video/*";
  input.id = "upload-input";
  input.hidden = true;
  input.setAttribute("aria-label", T.choose);
  document.body.appendChild(input);

  // load fetches tus-js-client and the sheet's styles, once.
  var loading = null;
  function load() {
    if (loading) return loading;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = T.css;
    document.head.appendChild(css);
    loading = new Promise(function (resolve, reject) {
      var sc = document.createElement("script");
      sc.src = T.tus;
      sc.onload = function () { resolve(window.tus); };
      sc.onerror = function () { loading = null; sc.remove(); reject(new Error(T.failed)); };
      document.body.appendChild(sc);
    });
    return loading;
  }

  function named() { return !!(main && main.dataset.name); }

  // needName resolves with the device's name, asking for it when there is
  // none; it rejects when the guest cancels. family.js, which provides the
  // sheet, loads once the page has: wait for it a little if need be.
  function needName() {
    var ask = function () {
      return window.picupNeedName().then(function (name) {
        if (main) main.dataset.name = name;
        return name;
      });
    };
    if (window.picupNeedName) return ask();
    return new Promise(function (resolve, reject) {
      var tries = 0;
      var wait = setInterval(function () {
        if (window.picupNeedName) {
          clearInterval(wait);
          ask().then(resolve, reject);
        } else if (++tries > 100) {
          clearInterval(wait);
          reject(new Error(T.failed));
        }
      }, 100);
    });
  }

  // ---- The sheet: one row per file ----

  var sheet = null, list = null;
  function openSheet() {
    if (!sheet) {
      sheet = document.createElement("section");
      sheet.id = "upload-sheet";
      sheet.className = "sheet modal";
      sheet.setAttribute("role", "dialog");
      sheet.setAttribute("aria-modal", "true");
      sheet.setAttribute("aria-labelledby", "upload-title");
      var head = document.createElement("div");
      head.className = "sheet-head";
      var h = document.createElement("h2");
      h.id = "upload-title";
      h.tabIndex = -1;
      h.textContent = T.title;
      var close = document.createElement("button");
      close.type = "button";
      close.id = "upload-close";
      close.className = "round small";
      close.setAttribute("aria-label", T.close);
      close.textContent = "✕";
      close.addEventListener("click", closeSheet);
      head.appendChild(h);
      head.appendChild(close);
      var choose = document.createElement("button");
      choose.type = "button";
      choose.id = "upload-choose";
      choose.className = "btn btn-primary";
      choose.textContent = T.choose;
      choose.addEventListener("click", function () { input.click(); });
      list = document.createElement("ol");
      list.id = "upload-list";
      sheet.appendChild(head);
      sheet.appendChild(choose);
      sheet.appendChild(list);
      sheet.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { closeSheet(); e.preventDefault(); }
      });
      document.body.appendChild(sheet);
    }
    if (sheet.hidden !== false) {
      sheet.hidden = false;
      document.getElementById("upload-title").focus();
    }
  }
  function closeSheet() {
    sheet.hidden = true;
    btn.focus();
  }

  // row adds a file's row: its name, a progress bar and what happens.
  function row(file) {
    var li = document.createElement("li");
    li.className = "upload-item";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = T.waiting;
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(state);
    list.appendChild(li);
    return {
      file: file, li: li, bar: bar, tries: 0,
      say: function (text, kind) {
        state.textContent = text;
        li.dataset.state = kind || "";
      }
    };
  }

  // ---- Sending ----

  var queue = [], sending = 0;
  function pump() {
    while (sending < atOnce && queue.length) send(queue.shift());
  }
  // done shows how a file ended; "failed" offers to try again.
  function done(item, text, kind) {
    item.say(text, kind);
    var retry = kind === "failed" ? document.createElement("button") : null;
    if (retry) {
      retry.type = "button";
      retry.className = "link";
      retry.textContent = T.retry;
      retry.addEventListener("click", function () {
        retry.remove();
        item.say(T.waiting, "");
        queue.push(item);
        go();
      });
      item.li.appendChild(retry);
    }
    pump();
  }

  // finished shows what became of a file, as the server said it.
  function finished(item, res) {
    item.bar.value = 100;
    var kind = res.status === "refused" ? "refused" : "done";
    done(item, res.message, kind);
    window.dispatchEvent(new CustomEvent("picup:uploaded", { detail: res }));
  }

  function header(res, name) { return res.getHeader(name) || ""; }

  function send(item) {
    sending++;
    var settled = false;
    var settle = function () {
      if (!settled) { settled = true; sending--; }
    };
    item.say(T.sending, "sending");
    var up = new window.tus.Upload(item.file, {
      endpoint: T.endpoint,
      metadata: { filename: item.file.name, filetype: item.file.type || "" },
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      removeFingerprintOnSuccess: true,
      onShouldRetry: function (err) {
        var st = err.originalResponse ? err.originalResponse.getStatus() : 0;
        var again = st === 0 || st === 409 || st === 423 || st === 429 || st >= 500;
        if (again) item.say(st === 429 ? T.waiting : T.resuming, "sending");
        return again;
      },
      onProgress: function (sent, total) {
        item.bar.value = total ? Math.floor(sent * 100 / total) : 0;
        item.say(T.sending, "sending");
      },
      onSuccess: function (p) {
        settle();
        var r = p.lastResponse, status = header(r, "Picup-Upload");
        if (status) {
          finished(item, {
            status: status, photo_id: Number(header(r, "Picup-Photo-Id") || 0), reason: header(r, "Picup-Reason"),
            message: decodeURIComponent(header(r, "Picup-Message"))
          });
          return;
        }
        // The answer that carried the result was lost: ask for it.
        fetch(up.url + "/result", { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(T.failed)); })
          .then(function (res) { finished(item, res); }, function () { done(item, T.failed, "failed"); });
      },
      onError: function (err) {
        settle();
        var r = err.originalResponse, j = {};
        try { j = JSON.parse(r.getBody()); } catch (e) { j = {}; }
        if (j.code === "no_name" && item.tries++ === 0) {
          if (main) main.dataset.name = "";
          needName().then(function () { queue.unshift(item); pump(); }, function () { done(item, j.error, "refused"); });
          return;
        }
        var gaveUp = !r || r.getStatus() >= 500 || r.getStatus() === 429;
        done(item, j.error || T.failed, gaveUp ? "failed" : "refused");
      }
    });
    up.findPreviousUploads().then(function (previous) {
      if (previous.length) up.resumeFromPreviousUpload(previous[0]);
      up.start();
    });
  }

  // go sends what is queued, once tus-js-client is there.
  function go() {
    load().then(pump, function () {
      queue.splice(0).forEach(function (item) { done(item, T.failed, "failed"); });
    });
  }

  function start(files) {
    var ready = named() ? Promise.resolve() : needName();
    ready.then(function () {
      openSheet();
      files.forEach(function (f) { queue.push(row(f)); });
      go();
    }, function () {}); // the guest did not say who they are: nothing is sent
  }

  btn.addEventListener("click", function () {
    load().catch(function () {});
    // The picker opens only from the tap itself: when the guest must
    // type a name first, the sheet's own button opens it afterwards.
    if (named()) {
      input.click();
      return;
    }
    needName().then(openSheet, function () {});
  });
  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    if (files.length) start(files);
  });
  window.addEventListener("beforeunload", function (e) {
    if (sending || queue.length) e.preventDefault();
  });
})();
