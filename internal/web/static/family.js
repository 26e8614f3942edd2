// picup viewer, taking part: a name typed once, hearts, comments, the
// feed of what is new, and live updates over Server-Sent Events. Loaded
// by viewer.js once the first view has loaded. Whatever a guest wrote is
// put on the page with textContent only: never as HTML.
(function () {
  "use strict";
  var V = window.picupViewer;
  var main = document.getElementById("photos");
  if (!V || !main) return;
  var T = JSON.parse(main.dataset.texts || "{}");
  var base = main.dataset.base;
  var myName = main.dataset.name || "";
  var hearts = main.hasAttribute("data-hearts"), comments = main.hasAttribute("data-comments");
  var $ = function (id) { return document.getElementById(id); };
  var fill = function (s, name, n) { return String(s).replace("{name}", name).replace("{n}", n); };

  // ---- Talking to the server ----

  // api sends a JSON request; it resolves with the JSON answer (null for
  // none) and rejects with the server's words for a refusal.
  function api(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) return j;
        var e = new Error(j.error || T.offline);
        e.code = j.code || "";
        throw e;
      });
    }, function () { throw new Error(T.offline); });
  }

  var toastTimer = 0;
  function toast(msg) {
    var t = $("toast");
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 6000);
  }
  function failed(e) {
    if (e.code === "no_name") { myName = ""; showMe(); }
    toast(e.message);
  }

  // ---- Who is there: the name sheet ----

  var sheet = $("name-sheet"), nameForm = $("name-form"), nameInput = $("name-input"), nameError = $("name-error");
  var asking = null; // {resolve, reject, focus} while the sheet is open

  function showMe() {
    document.querySelectorAll(".me").forEach(function (p) {
      p.hidden = !myName;
      p.querySelector(".me-name").textContent = fill(T.its_me, myName, "");
    });
  }

  function ask() {
    if (asking) return asking.promise;
    asking = { focus: document.activeElement };
    asking.promise = new Promise(function (resolve, reject) { asking.resolve = resolve; asking.reject = reject; });
    nameInput.value = myName;
    nameError.hidden = true;
    sheet.hidden = false;
    nameInput.focus();
    return asking.promise;
  }

  function closeSheet(name) {
    var a = asking;
    asking = null;
    sheet.hidden = true;
    if (!a) return;
    if (a.focus && a.focus.focus) a.focus.focus({ preventScroll: true });
    if (name) a.resolve(name);
    else a.reject(new Error("cancelled"));
  }

  nameForm.addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "/me", { name: nameInput.value }).then(function (j) {
      myName = j.name;
      showMe();
      closeSheet(myName);
    }, function (err) {
      nameError.textContent = err.message;
      nameError.hidden = false;
    });
  });
  $("name-cancel").addEventListener("click", function () { closeSheet(""); });
  sheet.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeSheet(""); e.preventDefault(); } });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest(".me-change")) ask().catch(function () {});
  });

  // picupNeedName resolves with the device's name, asking for it the
  // first time (uploads call it too); it rejects when the guest cancels.
  window.picupNeedName = function () { return myName ? Promise.resolve(myName) : ask(); };

  // ---- The photo on the screen: hearts and comments ----

  var heartBtn = $("heart"), heartCount = $("heart-count"), heartNames = $("heart-names");
  var commentsBtn = $("comments-open"), commentCount = $("comment-count");
  var panel = $("comments"), list = $("comment-list"), form = $("comment-form"), textBox = $("comment-text");
  var shown = null; // the tile in the full-screen view
  var commentsFor = 0, commentsNext = "";

  function photoID() { return shown ? Number(shown.dataset.id) : 0; }

  function showHearts(st) {
    heartBtn.setAttribute("aria-pressed", st.hearted ? "true" : "false");
    heartCount.textContent = st.hearts ? String(st.hearts) : "";
    heartNames.textContent = st.hearts ? "♥ " + st.hearts + " · " + st.names.join(", ") : "";
  }

  function showCommentCount() {
    var n = shown ? Number(shown.dataset.comments || 0) : 0;
    commentCount.textContent = n ? String(n) : "";
  }

  window.addEventListener("picup:show", function (e) {
    shown = e.detail.tile;
    var id = photoID();
    if (hearts) {
      heartBtn.hidden = false;
      showHearts({ hearted: false, hearts: 0, names: [] });
      if (Number(shown.dataset.hearts || 0) > 0) {
        api("GET", "/photos/" + id + "/heart").then(function (st) { if (photoID() === id) showHearts(st); }, function () {});
      }
    }
    if (comments) {
      commentsBtn.hidden = false;
      showCommentCount();
      if (!panel.hidden) loadComments();
    }
  });
  window.addEventListener("picup:close", function () { shown = null; if (panel) closeComments(); });

  if (hearts) {
    heartBtn.addEventListener("click", function () {
      var id = photoID(), tile = shown;
      window.picupNeedName().then(function () {
        return api("POST", "/photos/" + id + "/heart");
      }).then(function (st) {
        V.setCounts(tile, st.hearts, null);
        if (photoID() === id) showHearts(st);
      }, function (err) { if (err.message !== "cancelled") failed(err); });
    });
  }

  // relTime says how long ago, in the page's language ("3일 전", "3 days ago").
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(T.lang, { numeric: "auto" }) : null;
  function relTime(iso) {
    var s = (Date.parse(iso) - Date.now()) / 1000;
    if (!rtf || s > -60) return T.just_now;
    var units = [["minute", 60], ["hour", 3600], ["day", 86400], ["month", 2592000], ["year", 31536000]];
    var u = units[0];
    for (var i = 0; i < units.length && -s >= units[i][1]; i++) u = units[i];
    return rtf.format(Math.round(s / u[1]), u[0]);
  }

  function commentItem(c) {
    var li = document.createElement("li");
    li.dataset.id = String(c.id);
    var head = document.createElement("p");
    head.className = "who";
    var name = document.createElement("strong");
    name.textContent = c.name;
    var when = document.createElement("time");
    when.dateTime = c.created_at;
    when.textContent = relTime(c.created_at);
    head.appendChild(name);
    head.appendChild(document.createTextNode(" · "));
    head.appendChild(when);
    var text = document.createElement("p");
    text.className = "text";
    text.textContent = c.text;
    li.appendChild(head);
    li.appendChild(text);
    if (c.mine) {
      var del = document.createElement("button");
      del.type = "button";
      del.className = "link delete";
      del.textContent = T.delete;
      del.addEventListener("click", function () {
        if (!window.confirm(T.delete_ask)) return;
        api("DELETE", "/comments/" + c.id).then(function () { removeComment(c.photo_id, c.id, null); }, failed);
      });
      li.appendChild(del);
    }
    return li;
  }

  function addComment(c, count) {
    var tile = tileOf(c.photo_id);
    if (tile && count != null) V.setCounts(tile, null, count);
    if (tile === shown) showCommentCount();
    if (commentsFor !== c.photo_id || list.querySelector('li[data-id="' + c.id + '"]')) return;
    if (commentsNext) return; // it comes with the pages still to load
    list.appendChild(commentItem(c));
  }

  function removeComment(photo, id, count) {
    var tile = tileOf(photo);
    if (tile) V.setCounts(tile, null, count != null ? count : Math.max(0, Number(tile.dataset.comments) - 1));
    if (tile === shown) showCommentCount();
    var li = list && list.querySelector('li[data-id="' + id + '"]');
    if (li && commentsFor === photo) li.remove();
  }

  function loadComments(more) {
    var id = photoID();
    var path = more ? commentsNext.slice(base.length) : "/photos/" + id + "/comments";
    if (!more) { list.textContent = ""; commentsFor = id; commentsNext = ""; }
    return api("GET", path).then(function (page) {
      if (commentsFor !== id) return;
      page.comments.forEach(function (c) {
        if (!list.querySelector('li[data-id="' + c.id + '"]')) list.appendChild(commentItem(c));
      });
      commentsNext = page.next || "";
      if (commentsNext) return loadComments(true);
    }, failed);
  }

  function closeComments() {
    panel.hidden = true;
    commentsFor = 0;
    commentsBtn.setAttribute("aria-expanded", "false");
  }

  if (comments) {
    commentsBtn.addEventListener("click", function () {
      if (!panel.hidden) { closeComments(); return; }
      panel.hidden = false;
      commentsBtn.setAttribute("aria-expanded", "true");
      showMe();
      loadComments();
      $("comments-title").focus({ preventScroll: true });
    });
    $("comments-close").addEventListener("click", function () { closeComments(); commentsBtn.focus(); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && e.target !== textBox) { closeComments(); commentsBtn.focus(); e.preventDefault(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var id = photoID(), text = textBox.value;
      if (!text.trim()) return;
      window.picupNeedName().then(function () {
        return api("POST", "/photos/" + id + "/comments", { text: text });
      }).then(function (c) {
        textBox.value = "";
        var tile = tileOf(id);
        addComment(c, tile ? Number(tile.dataset.comments || 0) + (list.querySelector('li[data-id="' + c.id + '"]') ? 0 : 1) : null);
        showMe();
      }, function (err) { if (err.message !== "cancelled") failed(err); });
    });
  }

  function tileOf(id) { return main.querySelector('a.tile[data-id="' + id + '"]'); }

  // ---- What's new: the feed ----

  var feed = $("feed"), feedList = $("feed-list"), feedMore = $("feed-more"), feedNext = "", feedFocus = null;

  function feedItem(it) {
    var li = document.createElement("li");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "item";
    var what = document.createElement("span");
    var n = it.photo_ids.length;
    what.textContent = it.kind === "photos" ? fill(T.added_photos, it.name, n)
      : it.kind === "heart" ? fill(T.hearted, it.name, n) : fill(T.commented, it.name, n);
    b.appendChild(what);
    if (it.text) {
      var q = document.createElement("span");
      q.className = "text";
      q.textContent = it.text;
      b.appendChild(q);
    }
    var when = document.createElement("time");
    when.dateTime = it.at;
    when.textContent = relTime(it.at);
    b.appendChild(when);
    b.addEventListener("click", function () { openPhoto(it.photo_ids[0]); });
    li.appendChild(b);
    return li;
  }

  function loadFeed(path) {
    return api("GET", path).then(function (page) {
      page.items.forEach(function (it) { feedList.appendChild(feedItem(it)); });
      if (!feedList.children.length) {
        var li = document.createElement("li");
        li.textContent = T.feed_empty;
        feedList.appendChild(li);
      }
      feedNext = page.next ? page.next.slice(base.length) : "";
      feedMore.hidden = !feedNext;
    }, failed);
  }

  function openFeed() {
    feedFocus = document.activeElement;
    feedList.textContent = "";
    feed.hidden = false;
    $("feed-title").focus({ preventScroll: true });
    var banner = $("whats-new");
    if (banner) banner.hidden = true;
    loadFeed("/activity");
  }
  function closeFeed() {
    feed.hidden = true;
    if (feedFocus && feedFocus.focus && !feedFocus.hidden) feedFocus.focus({ preventScroll: true });
  }

  ["whats-new", "feed-open"].forEach(function (id) { var b = $(id); if (b) b.addEventListener("click", openFeed); });
  $("feed-close").addEventListener("click", closeFeed);
  feedMore.addEventListener("click", function () { if (feedNext) loadFeed(feedNext); });
  feed.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeFeed(); e.preventDefault(); } });

  // openPhoto opens a photo in the full-screen view, fetching its tile
  // when the grid has not loaded it.
  function openPhoto(id) {
    feed.hidden = true;
    var t = tileOf(id);
    if (t) { V.open(t); return; }
    fetchTiles([id]).then(function () {
      var t = tileOf(id);
      if (t) V.open(t);
    });
  }

  function fetchTiles(ids) {
    return api("GET", "/photos?ids=" + ids.slice(0, 60).join(",")).then(function (page) { V.insert(page.photos || []); }, function () {});
  }

  // ---- Live ----

  var es = null, lastID = main.dataset.after || "0", retry = 0;

  function listen() {
    if (!window.EventSource) return;
    es = new EventSource(base + "/events?after=" + encodeURIComponent(lastID));
    var track = function (e) { if (e.lastEventId) lastID = e.lastEventId; };
    es.addEventListener("photo", function (e) {
      track(e);
      fetchTiles(JSON.parse(e.data).photo_ids);
    });
    es.addEventListener("heart", function (e) {
      track(e);
      var d = JSON.parse(e.data), tile = tileOf(d.photo_id);
      if (tile) V.setCounts(tile, d.hearts, null);
      if (tile && tile === shown) {
        showHearts({ hearted: heartBtn.getAttribute("aria-pressed") === "true" && d.hearts > 0, hearts: d.hearts, names: d.names });
      }
    });
    es.addEventListener("comment", function (e) {
      track(e);
      var d = JSON.parse(e.data);
      if (d.deleted) removeComment(d.photo_id, d.deleted, d.comments);
      else addComment(d.comment, d.comments);
    });
    es.addEventListener("revoked", function () {
      es.close();
      toast(T.ended);
      document.body.classList.add("ended");
    });
    es.addEventListener("open", function () { retry = 0; document.body.dataset.live = "open"; });
    es.addEventListener("error", function () {
      // EventSource reconnects by itself unless the server refused
      // (429, 503 or the like): then try again later, backing off.
      if (es.readyState !== EventSource.CLOSED || document.body.classList.contains("ended")) return;
      retry = Math.min(retry + 1, 6);
      setTimeout(listen, 1000 * Math.pow(2, retry));
    });
  }

  showMe();
  listen();
  if (V.current()) window.dispatchEvent(new CustomEvent("picup:show", { detail: { tile: V.current() } })); // opened before this loaded
})();
