// Optional enhancement: "Mark as complete" without reloading the page.
// Every form works without this file; it only saves a round trip.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-enhance=complete]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (p) {
      if (p.course_completed) { window.location.assign("/my-learning"); return; }
      var bar = document.querySelector("#course-progress progress");
      var text = document.querySelector("#course-progress .progress-text");
      if (bar) { bar.value = p.percent; bar.setAttribute("aria-label", p.label); bar.textContent = p.percent_text; }
      if (text) text.textContent = p.percent_text + " · " + p.label;
      var done = form.parentNode.querySelector("[data-done]");
      form.remove();
      if (done) { done.hidden = false; done.setAttribute("role", "status"); }
      var next = document.querySelector(".pager a[rel=next]");
      if (next) next.focus();
    }).catch(function () {
      // Fall back to the plain form post.
      form.submit();
    });
  });
})();
// Optional enhancement: the browser's time zone, for "automatic" in the
// account form; without this file the server guesses from the language.
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var fields = document.querySelectorAll("input[data-browser-time-zone]");
    for (var i = 0; i < fields.length; i++) fields[i].value = zone || "";
  } catch (e) { /* no Intl: the server's guess stands */ }
})();
