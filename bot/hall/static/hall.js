// Live updates for the hall: when the council's record changes, fetch this page again and swap its main part.
// Without this script every page still works (plain forms); with it, tallies, turnout and speeches follow live.
(function () {
  var main = document.getElementById("live");
  var feed = document.body.getAttribute("data-events");
  if (!main || !feed || !window.EventSource) return;
  var busy = false;
  function refresh() {
    if (busy) return;
    var editing = document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (editing) return;  // never wipe what someone is typing
    busy = true;
    fetch(window.location.pathname, {credentials: "same-origin"}).then(function (r) { return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("live");
        if (fresh) { main.innerHTML = fresh.innerHTML; document.body.setAttribute("data-seq", doc.body.getAttribute("data-seq")); }
      }).finally(function () { busy = false; });
  }
  var source = new EventSource(feed + "?after=" + encodeURIComponent(document.body.getAttribute("data-seq") || "0"));
  source.addEventListener("change", refresh);
})();
