/* Postwright dashboard: a little progressive enhancement. Every form works without it. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /* Auto-submitting selects (workspace switcher, calendar filters). */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
  });

  /* Long actions: the pressed button shows it is working; a second press is ignored. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (form.dataset.busy === "1") { event.preventDefault(); return; }
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    form.dataset.busy = "1";
    if (button) {
      button.setAttribute("aria-busy", "true");
      if (button.dataset.busyLabel) button.textContent = button.dataset.busyLabel;
    }
    var status = form.querySelector("[data-progress]");
    if (status && button && button.dataset.long !== undefined) status.textContent = button.dataset.long || "Working…";
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(function (f) { delete f.dataset.busy; });
    document.querySelectorAll('[aria-busy="true"]').forEach(function (b) { b.removeAttribute("aria-busy"); });
  });

  /* Composer: live preview and a counter measured by the server's own rules. */
  function renderPreview(target, text) {
    target.textContent = "";
    var parts = text.split(/((?:^|[^\w#])#[\p{L}\p{N}_]+)/u);
    parts.forEach(function (part) {
      var match = part.match(/^([^#]*)(#[\p{L}\p{N}_]+)$/u);
      if (match) {
        target.appendChild(document.createTextNode(match[1]));
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = match[2];
        target.appendChild(tag);
      } else {
        target.appendChild(document.createTextNode(part));
      }
    });
  }

  function showCount(box, count, limit) {
    var counter = box.querySelector("[data-counter]");
    var meter = box.querySelector("[data-meter]");
    if (counter) {
      counter.textContent = count + " / " + limit;
      counter.classList.toggle("over", count > limit);
    }
    if (meter) {
      meter.classList.toggle("over", count > limit);
      meter.firstElementChild.style.width = Math.min(100, Math.round((100 * count) / limit)) + "%";
    }
  }

  var measure = debounce(function (area) {
    var box = area.closest("[data-preview]");
    fetch("/app/measure", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      credentials: "same-origin",
      body: JSON.stringify({ text: area.value, platforms: [area.dataset.platform] })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      var row = data && data[area.dataset.platform];
      if (row) showCount(box, row.count, row.limit);
    }).catch(function () {});
  }, 150);

  document.querySelectorAll("textarea[data-platform]").forEach(function (area) {
    var box = area.closest("[data-preview]");
    var body = box && box.querySelector("[data-body]");
    area.addEventListener("input", function () {
      if (body) renderPreview(body, area.value);
      measure(area);
    });
    if (body) renderPreview(body, area.value);
  });

  /* Calendar: drag a post chip onto another day to move it there (same time of day). */
  var dragged = null;
  document.querySelectorAll(".chip[draggable=true]").forEach(function (chip) {
    chip.addEventListener("dragstart", function (e) {
      dragged = chip;
      e.dataTransfer.setData("text/plain", chip.dataset.post);
    });
  });
  document.querySelectorAll(".cal .day[data-date]").forEach(function (day) {
    day.addEventListener("dragover", function (e) { if (dragged) { e.preventDefault(); day.classList.add("drop"); } });
    day.addEventListener("dragleave", function () { day.classList.remove("drop"); });
    day.addEventListener("drop", function (e) {
      e.preventDefault();
      day.classList.remove("drop");
      if (!dragged) return;
      var form = document.getElementById("move-form");
      form.elements.post_id.value = dragged.dataset.post;
      form.elements.when_date.value = day.dataset.date;
      form.elements.when_time.value = dragged.dataset.time || "09:00";
      form.requestSubmit();
    });
  });

  /* Bulk job: progress over Server-Sent Events. */
  var job = document.querySelector("[data-job-events]");
  if (job && window.EventSource) {
    var bar = job.querySelector("[data-bar]");
    var label = job.querySelector("[data-label]");
    var state = job.querySelector("[data-state]");
    var feed = job.querySelector("[data-feed]");
    var seen = {};
    feed.querySelectorAll("li[data-id]").forEach(function (li) { seen[li.dataset.id] = true; });
    var source = new EventSource(job.dataset.jobEvents);
    source.addEventListener("progress", function (message) {
      var data = JSON.parse(message.data);
      bar.style.width = data.percentage + "%";
      bar.parentElement.setAttribute("aria-valuenow", String(data.percentage));
      label.textContent = data.current + " of " + data.total + " done (" + data.percentage + "%)";
      state.textContent = data.status;
      var credits = job.querySelector("[data-credits]");
      if (credits) credits.textContent = data.credits;
      state.className = "badge s-" + data.status.toLowerCase();
      (data.posts || []).forEach(function (post) {
        if (seen[post.id]) return;
        seen[post.id] = true;
        var empty = feed.querySelector("[data-empty]");
        if (empty) empty.remove();
        var li = document.createElement("li");
        li.dataset.id = post.id;
        var when = document.createElement("div");
        when.className = "muted small";
        when.textContent = post.when;
        var text = document.createElement("div");
        text.textContent = post.content;
        li.appendChild(when);
        li.appendChild(text);
        feed.appendChild(li);
      });
      document.querySelectorAll("[data-when-status]").forEach(function (el) {
        el.hidden = el.dataset.whenStatus.split(" ").indexOf(data.status) < 0;
      });
      if (data.finished) source.close();
    });
    source.addEventListener("error", function () { /* the browser reconnects by itself */ });
  }
})();
