// picup viewer: photos by day with infinite scroll over the share's
// cursor-paginated JSON pages, and a full-screen view with swipe, pinch
// zoom, keyboard and a slideshow. No framework, no build step.
(function () {
  "use strict";
  var main = document.getElementById("photos");
  var viewer = document.getElementById("viewer");
  if (!main || !viewer) return;

  var img = document.getElementById("viewer-img");
  var video = document.getElementById("viewer-video");
  var caption = document.getElementById("viewer-caption");
  var text = document.getElementById("viewer-text");
  var btnPrev = document.getElementById("viewer-prev");
  var btnNext = document.getElementById("viewer-next");
  var btnPlay = document.getElementById("viewer-play");
  var btnClose = document.getElementById("viewer-close");
  var download = document.getElementById("viewer-download");

  var SLIDE_MS = 5000;
  var tiles = Array.prototype.slice.call(main.querySelectorAll("a.tile"));
  var lastSection = main.querySelector("section.day:last-of-type");
  var current = -1;

  // ---- Tile images ----
  // The first row's images are in the page at high priority. Every other
  // tile's image (data-src) starts when the tile comes on the screen, at
  // most LOADS at a time and nearest first, so that on a slow connection
  // the first row gets the bandwidth first and the screen then fills from
  // the top, instead of everything arriving late together. Tiles within a
  // screen above or below load ahead, but only once the reader has
  // scrolled: the first view costs what it shows.

  var LOADS = 4, loads = 0, scrolled = false;
  var near = []; // tiles within a screen of the view whose image has not started
  var io = "IntersectionObserver" in window ? new IntersectionObserver(function (es) {
    es.forEach(function (e) {
      var k = near.indexOf(e.target);
      if (e.isIntersecting && k < 0) near.push(e.target);
      else if (!e.isIntersecting && k >= 0) near.splice(k, 1);
    });
    pump();
  }, { rootMargin: "100% 0px" }) : null;

  // loading counts an image in flight until it has loaded or failed.
  function loading(im) {
    loads++;
    function done() {
      im.removeEventListener("load", done);
      im.removeEventListener("error", done);
      loads--;
      pump();
    }
    im.addEventListener("load", done);
    im.addEventListener("error", done);
  }

  function start(a) {
    var im = a.querySelector("img[data-src]");
    if (io) io.unobserve(a);
    if (!im) return;
    im.src = im.dataset.src;
    im.removeAttribute("data-src");
    loading(im);
  }

  // gap is how far tile a is from the screen, in px (0 when on it).
  function gap(a) {
    var r = a.getBoundingClientRect();
    return r.bottom < 0 ? -r.bottom : Math.max(0, r.top - window.innerHeight);
  }

  function pump() {
    if (loads >= LOADS || !near.length) return;
    var ready = near.map(function (a) { return { a: a, d: gap(a) }; })
      .filter(function (t) { return scrolled || t.d === 0; })
      .sort(function (x, y) { return x.d - y.d || x.a.dataset.index - y.a.dataset.index; });
    for (var k = 0; k < ready.length && loads < LOADS; k++) {
      near.splice(near.indexOf(ready[k].a), 1);
      start(ready[k].a);
    }
  }

  function watch(a) {
    if (io) io.observe(a);
    else start(a);
  }

  tiles.forEach(function (a) {
    var im = a.querySelector("img");
    if (im && im.dataset.src) watch(a);
    else if (im && !im.complete) loading(im);
  });
  window.addEventListener("scroll", function () { scrolled = true; pump(); }, { passive: true, once: true });

  // ---- Infinite scroll ----

  var pending = null;

  function hasMore() { return !!main.dataset.next; }

  function section(date, heading) {
    var s = document.createElement("section");
    s.className = "day";
    s.dataset.date = date;
    var h = document.createElement("h2");
    h.textContent = heading;
    var ul = document.createElement("ul");
    ul.className = "grid";
    s.appendChild(h);
    s.appendChild(ul);
    return s;
  }

  function tile(p) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "tile";
    a.dataset.index = String(tiles.length);
    a.dataset.id = String(p.id);
    a.dataset.type = p.type;
    a.href = p.screen;
    a.dataset.srcset = p.grid + " " + p.grid_width + "w, " + p.screen + " " + p.screen_width + "w";
    if (p.video) a.dataset.video = p.video;
    if (p.original) a.dataset.original = p.original;
    if (p.caption) a.dataset.caption = p.caption;
    a.dataset.key = String(p.key);
    var im = document.createElement("img");
    im.dataset.src = p.grid;
    im.width = p.grid_width;
    im.height = p.grid_height;
    im.decoding = "async";
    im.alt = p.label;
    a.appendChild(im);
    if (p.type === "video") {
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.setAttribute("aria-hidden", "true");
      a.appendChild(badge);
    }
    if (p.hearts || p.comments) setCounts(a, p.hearts || 0, p.comments || 0);
    li.appendChild(a);
    return { li: li, a: a };
  }

  // setCounts shows a tile's hearts and comments on its badge and in its
  // name for screen readers (a null count stays as it is). A tile without
  // any has no badge and no aria-label: its image's alt (day and kind)
  // names it, loaded or not.
  var texts = null;
  function setCounts(a, hearts, comments) {
    if (!texts) texts = JSON.parse(main.dataset.texts || "{}");
    if (hearts == null) hearts = Number(a.dataset.hearts || 0);
    if (comments == null) comments = Number(a.dataset.comments || 0);
    a.dataset.hearts = String(hearts);
    a.dataset.comments = String(comments);
    var label = a.querySelector("img").alt;
    var counts = a.querySelector(".counts");
    if (!counts) {
      counts = document.createElement("span");
      counts.className = "counts";
      counts.setAttribute("aria-hidden", "true");
      a.appendChild(counts);
    }
    counts.textContent = "";
    [[hearts, "c-heart", "♥ ", texts.hearts], [comments, "c-comment", "💬 ", texts.comments]].forEach(function (c) {
      if (!c[0]) return;
      var s = document.createElement("span");
      s.className = c[1];
      s.textContent = c[2] + c[0];
      counts.appendChild(s);
      label += ", " + String(c[3] || "{n}").replace("{n}", c[0]);
    });
    a.setAttribute("aria-label", label);
  }

  // later orders tiles as the grid does: newest first by (key, id).
  function later(key, id, a) {
    var k = Number(a.dataset.key), i = Number(a.dataset.id);
    return key > k || (key === k && id > i);
  }

  // insert puts photos that came after the page was made where they
  // belong in the grid (a photo older than the loaded tiles comes with
  // its page), and numbers the tiles again.
  function insert(photos) {
    var added = 0;
    photos.forEach(function (p) {
      if (main.querySelector('a.tile[data-id="' + p.id + '"]')) return;
      var k = 0;
      while (k < tiles.length && !later(p.key, p.id, tiles[k])) k++;
      if (k === tiles.length && hasMore()) return;
      var t = tile(p);
      var before = tiles[k], prev = tiles[k - 1];
      var sec = before && before.closest("section.day");
      if (sec && sec.dataset.date === p.date) {
        before.parentNode.parentNode.insertBefore(t.li, before.parentNode);
      } else if (prev && prev.closest("section.day").dataset.date === p.date) {
        prev.closest("ul.grid").appendChild(t.li);
      } else {
        var s = section(p.date, p.day);
        main.insertBefore(s, sec || sentinel);
        s.querySelector("ul.grid").appendChild(t.li);
      }
      tiles.splice(k, 0, t.a);
      watch(t.a);
      added++;
    });
    if (!added) return;
    var shown = tiles[current];
    tiles.forEach(function (a, i) { a.dataset.index = String(i); });
    lastSection = main.querySelector("section.day:last-of-type");
    var note = main.querySelector(".note");
    if (note) note.remove();
    if (shown) { current = tiles.indexOf(shown); viewer.dataset.index = String(current); }
    updateButtons();
  }

  // append adds a JSON page's photos: to the last day section while the
  // date is the same, else in new sections.
  function append(photos) {
    photos.forEach(function (p) {
      if (!lastSection || lastSection.dataset.date !== p.date) {
        lastSection = section(p.date, p.day);
        main.insertBefore(lastSection, sentinel);
      }
      var t = tile(p);
      lastSection.querySelector("ul.grid").appendChild(t.li);
      tiles.push(t.a);
      watch(t.a);
    });
  }

  // more loads the next page once; every caller gets the same promise.
  function more() {
    if (pending) return pending;
    var url = main.dataset.next;
    if (!url) return Promise.resolve();
    main.classList.add("loading");
    pending = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (page) {
        append(page.photos || []);
        if (page.next) main.dataset.next = page.next;
        else main.removeAttribute("data-next");
        updateButtons();
      })
      .catch(function () { /* the next scroll or swipe tries again */ })
      .then(function () { pending = null; main.classList.remove("loading"); });
    return pending;
  }

  var sentinel = document.createElement("div");
  sentinel.className = "sentinel";
  main.appendChild(sentinel);
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (es) {
      if (es.some(function (e) { return e.isIntersecting; }) && hasMore()) more();
    }, { rootMargin: "1500px" }).observe(sentinel);
  }

  // ---- Full-screen view ----

  var zoom = { s: 1, x: 0, y: 0 };

  function applyZoom() {
    img.style.transform = zoom.s === 1 ? "" : "translate(" + zoom.x + "px, " + zoom.y + "px) scale(" + zoom.s + ")";
    viewer.classList.toggle("zoomed", zoom.s > 1);
  }

  function resetZoom() { zoom = { s: 1, x: 0, y: 0 }; applyZoom(); }

  // clampPan keeps a zoomed image over the screen.
  function clampPan() {
    var w = img.offsetWidth, h = img.offsetHeight;
    var mx = Math.max(0, (w * zoom.s - w) / 2), my = Math.max(0, (h * zoom.s - h) / 2);
    zoom.x = Math.min(mx, Math.max(-mx, zoom.x));
    zoom.y = Math.min(my, Math.max(-my, zoom.y));
  }

  // zoomAt scales to s keeping the screen point (cx, cy) where it is.
  function zoomAt(s, cx, cy) {
    var r = img.getBoundingClientRect();
    var ox = r.left + r.width / 2, oy = r.top + r.height / 2; // current centre on screen
    var k = s / zoom.s;
    zoom.x += (cx - ox) * (1 - k);
    zoom.y += (cy - oy) * (1 - k);
    zoom.s = s;
    if (zoom.s <= 1.01) { resetZoom(); return; }
    clampPan();
    applyZoom();
  }

  function isOpen() { return !viewer.hidden; }

  function stopVideo() {
    if (!video.hidden || video.getAttribute("src")) {
      video.pause();
      video.removeAttribute("src");
      video.removeAttribute("poster");
      video.load();
    }
    video.hidden = true;
  }

  function updateButtons() {
    if (current < 0) return;
    btnPrev.disabled = current <= 0;
    btnNext.disabled = current >= tiles.length - 1 && !hasMore() && !playing;
  }

  function preload(i) {
    var t = tiles[i];
    if (t && t.dataset.type === "photo") new Image().src = t.href;
  }

  // show puts tile i in the viewer, loading the next page first when i is
  // past the loaded tiles.
  function show(i) {
    if (i < 0) return Promise.resolve(false);
    if (i >= tiles.length) {
      if (!hasMore()) return Promise.resolve(false);
      return more().then(function () { return i < tiles.length ? show(i) : false; });
    }
    var t = tiles[i];
    current = i;
    viewer.dataset.index = String(i);
    resetZoom();
    var sec = t.closest("section.day");
    caption.textContent = sec ? sec.querySelector("h2").textContent : "";
    // The photo's own caption, in large type under it (the slideshow too).
    text.textContent = t.dataset.caption || "";
    text.hidden = !t.dataset.caption;
    if (t.dataset.type === "video") {
      img.hidden = true;
      img.removeAttribute("src");
      img.removeAttribute("srcset");
      video.poster = t.href;
      video.src = t.dataset.video;
      video.hidden = false;
    } else {
      stopVideo();
      var grid = t.querySelector("img");
      img.removeAttribute("src");
      img.sizes = "100vw";
      img.srcset = t.dataset.srcset || "";
      img.src = t.href;
      img.alt = grid ? grid.alt : "";
      img.hidden = false;
    }
    if (download) {
      if (t.dataset.original) { download.href = t.dataset.original; download.hidden = false; }
      else { download.removeAttribute("href"); download.hidden = true; }
    }
    updateButtons();
    window.dispatchEvent(new CustomEvent("picup:show", { detail: { tile: t } }));
    preload(i + 1);
    if (i >= tiles.length - 5 && hasMore()) more();
    if (playing) scheduleSlide();
    return Promise.resolve(true);
  }

  var pushed = false;

  function open(i) {
    if (!isOpen()) {
      viewer.hidden = false;
      document.body.classList.add("viewing");
      if (window.history && history.pushState) {
        history.pushState({ picupViewer: true }, "");
        pushed = true;
      }
    }
    return show(i).then(function (ok) {
      if (!ok && current < 0) close();
      else btnClose.focus({ preventScroll: true });
      return ok;
    });
  }

  // close leaves the full-screen view, back where the photo is in the
  // grid. fromHistory: the browser's Back button closed it.
  function close(fromHistory) {
    if (!isOpen()) return;
    stopSlideshow();
    stopVideo();
    resetZoom();
    viewer.hidden = true;
    document.body.classList.remove("viewing");
    window.dispatchEvent(new CustomEvent("picup:close"));
    var t = tiles[current];
    current = -1;
    if (t) {
      t.scrollIntoView({ block: "center" });
      t.focus({ preventScroll: true });
    }
    if (pushed && !fromHistory) history.back();
    pushed = false;
  }

  window.addEventListener("popstate", function () {
    if (isOpen()) { pushed = false; close(true); }
  });

  function next() {
    if (current + 1 < tiles.length || hasMore()) return show(current + 1);
    return Promise.resolve(false);
  }
  function prev() { return show(current - 1); }

  main.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.tile");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    open(Number(a.dataset.index));
  });

  btnClose.addEventListener("click", function () { close(); });
  btnPrev.addEventListener("click", function () { prev(); });
  btnNext.addEventListener("click", function () { next(); });

  document.addEventListener("keydown", function (e) {
    if (!isOpen() || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target.closest && e.target.closest("input, textarea, .sheet")) return; // typing, or in a sheet
    if (e.key === "ArrowRight") { next(); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { prev(); e.preventDefault(); }
    else if (e.key === "Escape") { close(); e.preventDefault(); }
  });

  // ---- Slideshow ----

  var playing = false, timer = 0, wakeLock = null;

  function scheduleSlide() {
    clearTimeout(timer);
    var t = tiles[current];
    if (t && t.dataset.type === "video") {
      // Play a video to its end; where the browser will not start it
      // without a tap, show its poster for the usual time.
      video.onended = function () { if (playing) advance(); };
      var p = video.play();
      if (p && p.catch) p.catch(function () { if (playing) timer = setTimeout(advance, SLIDE_MS); });
      return;
    }
    timer = setTimeout(advance, SLIDE_MS);
  }

  function advance() {
    next().then(function (ok) { if (!ok && playing) show(0); });
  }

  function setPlayButton() {
    btnPlay.querySelector(".label").textContent = playing ? viewer.dataset.stop : viewer.dataset.play;
    btnPlay.querySelector(".icon").textContent = playing ? "❚❚" : "▶";
    btnPlay.setAttribute("aria-pressed", playing ? "true" : "false");
    viewer.classList.toggle("playing", playing);
  }

  function startSlideshow() {
    if (playing) return;
    playing = true;
    setPlayButton();
    updateButtons();
    if (navigator.wakeLock && navigator.wakeLock.request) {
      navigator.wakeLock.request("screen").then(function (l) { wakeLock = l; }).catch(function () {});
    }
    scheduleSlide();
  }

  function stopSlideshow() {
    if (!playing) return;
    playing = false;
    clearTimeout(timer);
    video.onended = null;
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
    setPlayButton();
    updateButtons();
  }

  btnPlay.addEventListener("click", function () { if (playing) stopSlideshow(); else startSlideshow(); });

  var startShow = document.getElementById("slideshow");
  if (startShow) {
    startShow.addEventListener("click", function () {
      open(0).then(function (ok) { if (ok) startSlideshow(); });
    });
  }

  // A tap on the picture stops the slideshow (buttons keep their own job).
  viewer.addEventListener("click", function (e) {
    if (e.target === viewer || e.target === img || e.target.classList.contains("stage")) stopSlideshow();
  });

  // ---- Touch: swipe, pinch zoom, pan and double-tap ----

  var g = null; // the gesture in progress
  var lastTap = 0;

  function dist(a, b) { return Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY); }

  viewer.addEventListener("touchstart", function (e) {
    if (e.target.closest("button, a, .sheet")) { g = null; return; }
    var onImg = !img.hidden;
    if (e.touches.length > 1 && !onImg) {
      g = null; // two fingers on a video: its own controls' business
    } else if (e.touches.length === 2) {
      var a = e.touches[0], b = e.touches[1];
      g = { kind: "pinch", d0: dist(a, b), s0: zoom.s,
            cx: (a.clientX + b.clientX) / 2, cy: (a.clientY + b.clientY) / 2 };
      e.preventDefault();
    } else if (e.touches.length === 1) {
      var t = e.touches[0];
      g = { kind: zoom.s > 1 && onImg ? "pan" : "swipe", x0: t.clientX, y0: t.clientY,
            px: zoom.x, py: zoom.y, moved: 0 };
    }
  }, { passive: false });

  viewer.addEventListener("touchmove", function (e) {
    if (!g) return;
    if (g.kind === "pinch" && e.touches.length === 2) {
      var s = Math.min(5, Math.max(1, g.s0 * dist(e.touches[0], e.touches[1]) / g.d0));
      zoomAt(s, g.cx, g.cy);
      e.preventDefault();
    } else if (e.touches.length === 1) {
      var t = e.touches[0];
      g.moved = Math.max(g.moved, Math.abs(t.clientX - g.x0), Math.abs(t.clientY - g.y0));
      if (g.kind === "pan") {
        zoom.x = g.px + t.clientX - g.x0;
        zoom.y = g.py + t.clientY - g.y0;
        clampPan();
        applyZoom();
        e.preventDefault();
      } else if (!img.hidden) {
        e.preventDefault(); // no page scroll or overscroll under the viewer
      }
    }
  }, { passive: false });

  viewer.addEventListener("touchend", function (e) {
    if (!g) return;
    var gesture = g;
    if (e.touches.length > 0) {
      // One finger of a pinch lifted: carry on as a pan with the other.
      if (gesture.kind === "pinch" && e.touches.length === 1 && zoom.s > 1) {
        var t0 = e.touches[0];
        g = { kind: "pan", x0: t0.clientX, y0: t0.clientY, px: zoom.x, py: zoom.y, moved: 99 };
      }
      return;
    }
    g = null;
    if (gesture.kind !== "swipe" && gesture.kind !== "pan") return;
    var t = e.changedTouches[0];
    var dx = t.clientX - gesture.x0, dy = t.clientY - gesture.y0;
    if (gesture.kind === "swipe" && Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) {
      if (dx < 0) next(); else prev();
      return;
    }
    if (Math.abs(dx) < 10 && Math.abs(dy) < 10 && gesture.moved < 10 && !img.hidden && e.target === img) {
      var now = Date.now();
      if (now - lastTap < 300) {
        lastTap = 0;
        if (zoom.s > 1) resetZoom(); else zoomAt(2.5, t.clientX, t.clientY);
        e.preventDefault();
      } else {
        lastTap = now;
      }
    }
  });

  // A mouse double-click zooms as a double tap does.
  img.addEventListener("dblclick", function (e) {
    if (zoom.s > 1) resetZoom(); else zoomAt(2.5, e.clientX, e.clientY);
  });

  // ---- Taking part ----
  // Hearts, comments, names, the feed and live updates are family.js,
  // loaded once the first view has loaded, so that it never competes
  // with the first row's images.
  window.picupViewer = {
    tiles: function () { return tiles; },
    current: function () { return tiles[current] || null; },
    open: function (a) { return open(tiles.indexOf(a)); },
    insert: insert,
    setCounts: setCounts,
    more: more,
    hasMore: hasMore
  };
  function family() {
    if (!main.dataset.family) return;
    var sc = document.createElement("script");
    sc.src = main.dataset.family;
    document.body.appendChild(sc);
  }
  if (document.readyState === "complete") setTimeout(family, 0);
  else window.addEventListener("load", family);
})();
