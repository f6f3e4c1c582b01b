// One-tap attendance without a page reload (tapping the pressed button again takes the mark
// away). Without JavaScript the same forms post and the page reloads; this only saves the
// round trip on a phone between two meetings.
(function () {
  "use strict";
  var status = document.getElementById("attendance-status");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-attendance]") || !window.fetch) return;
    var button = event.submitter;
    if (!button || button.name !== "status") return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("status", button.value);
    var token = form.querySelector("input[name=csrf_token]");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) throw new Error(result.body.error || "error");
      // The mark the person has now: the one tapped, or none if it was tapped again.
      var marked = result.body.status;
      form.querySelectorAll("button[name=status]").forEach(function (b) {
        b.setAttribute("aria-pressed", b.value === marked ? "true" : "false");
      });
      if (status) {
        status.textContent = marked
          ? result.body.message + ": " + button.textContent.trim()
          : result.body.message;
      }
    }).catch(function () {
      // Fall back to the plain form post, which reloads the page.
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "status";
      hidden.value = button.value;
      form.appendChild(hidden);
      form.submit();
    });
  });
})();

// The offering form: an organisation is not its own co-organiser. When an admin picks another
// owner, that owner's box is hidden (and unticked) and every other one shown. Without
// JavaScript the server refuses a ticked owner with a message.
(function () {
  "use strict";
  var owner = document.getElementById("organisation_id");
  var boxes = document.querySelector("fieldset[data-co-organisers]");
  if (!owner || !boxes) return;
  owner.addEventListener("change", function () {
    boxes.querySelectorAll(".field--check").forEach(function (row) {
      var input = row.querySelector("input");
      var isOwner = input.value === owner.value;
      row.hidden = isOwner;
      if (isOwner) input.checked = false;
    });
  });
})();
