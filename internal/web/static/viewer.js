// picup viewer: infinite scroll over the share's cursor-paginated JSON pages.
(function () {
  "use strict";
  var grid = document.getElementById("grid");
  if (!grid || !grid.dataset.next || !("IntersectionObserver" in window)) return;
  var loading = false;

  function tile(p) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = p.screen;
    var img = document.createElement("img");
    img.src = p.grid;
    img.srcset = p.grid + " " + p.grid_width + "w, " + p.screen + " " + p.screen_width + "w";
    img.sizes = "(min-width: 1400px) 190px, 180px";
    img.loading = "lazy";
    img.decoding = "async";
    img.alt = (p.taken_at || "").slice(0, 10);
    a.appendChild(img);
    li.appendChild(a);
    return li;
  }

  function next() {
    var url = grid.dataset.next;
    if (loading || !url) return;
    loading = true;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (page) {
        var frag = document.createDocumentFragment();
        page.photos.forEach(function (p) { frag.appendChild(tile(p)); });
        grid.appendChild(frag);
        grid.dataset.next = page.next || "";
        if (!page.next) observer.disconnect();
      })
      .catch(function () { /* the next scroll retries */ })
      .then(function () { loading = false; });
  }

  var sentinel = document.createElement("div");
  grid.after(sentinel);
  var observer = new IntersectionObserver(function (es) {
    if (es.some(function (e) { return e.isIntersecting; })) next();
  }, { rootMargin: "1500px" });
  observer.observe(sentinel);
})();
