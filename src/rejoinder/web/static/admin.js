// Keyboard shortcuts for the moderation queue: j/k move, x selects, a/s/n/d decide, o opens.
(function () {
  "use strict";
  function items() { return Array.prototype.slice.call(document.querySelectorAll(".rm-item")); }
  var current = -1;
  function focusItem(index) {
    var list = items();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (el, i) { el.classList.toggle("rm-current", i === current); });
    list[current].focus();
  }
  function press(key) {
    var list = items();
    if (current < 0 || !list[current]) { return false; }
    var target = list[current].querySelector('[data-key="' + key + '"]');
    if (!target) { return false; }
    target.click();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var key = event.key;
    if (key === "j") { focusItem(current + 1); }
    else if (key === "k") { focusItem(current - 1); }
    else if (key === "x") {
      var box = current >= 0 && items()[current] ? items()[current].querySelector('input[name="id"]') : null;
      if (box) { box.checked = !box.checked; }
    } else if ("asndo".indexOf(key) === -1 || !press(key)) { return; }
    event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll('.rm-item input[name="id"]').forEach(function (box) { box.checked = all.checked; });
      });
    }
  });
}());
