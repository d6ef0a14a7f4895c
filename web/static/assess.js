// vertaa: keeps the draft of a questionnaire page saved while the leader
// answers. The page works without this script: every page change saves.
(function () {
  "use strict";
  var form = document.querySelector("form.sheet[data-autosave]");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var status = form.querySelector(".save-status");
  var dirty = false;
  var saving = false;

  function mark() { dirty = true; }
  form.addEventListener("change", mark);
  form.addEventListener("input", mark);

  function save() {
    if (!dirty || saving) {
      return;
    }
    dirty = false;
    saving = true;
    var data = new FormData(form);
    fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: new URLSearchParams(data),
      credentials: "same-origin",
      headers: { "X-CSRF-Token": data.get("_csrf"), "Accept": "application/json" }
    }).then(function (resp) {
      if (!resp.ok) {
        throw new Error(String(resp.status));
      }
      var now = new Date();
      status.textContent = form.getAttribute("data-saved") + " " +
        now.getHours() + ":" + String(now.getMinutes()).padStart(2, "0");
    }).catch(function () {
      dirty = true;
      status.textContent = form.getAttribute("data-failed");
    }).finally(function () {
      saving = false;
    });
  }

  setInterval(save, 5000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      save();
    }
  });
})();
