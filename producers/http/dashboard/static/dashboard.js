"use strict";
// Live rows for the jobs table and a live job page, over server-sent events. Without this
// script every page still works; it only saves reloading.
(function () {
  function span(start, end) {
    if (!start) return "";
    var s = Math.max(0, Math.floor(((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000));
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s";
    return Math.floor(s / 3600) + "h " + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + "m";
  }

  function tick(table) {
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      tr.querySelector(".age").textContent = span(tr.dataset.created);
      tr.querySelector(".duration").textContent = span(tr.dataset.started, tr.dataset.finished);
    });
  }

  function cell(tr, html) {
    var td = document.createElement("td");
    if (html) td.className = html;
    tr.appendChild(td);
    return td;
  }

  function newRow(u) {
    var tr = document.createElement("tr");
    tr.dataset.job = u.job_id;
    tr.dataset.created = u.created_at;
    var status = document.createElement("span");
    cell(tr).appendChild(status);
    var link = document.createElement("a");
    link.href = "/ui/jobs/" + encodeURIComponent(u.job_id);
    link.textContent = u.provider + "/" + u.action;
    var small = document.createElement("small");
    small.className = "id";
    small.textContent = u.job_id.slice(0, 8);
    var job = cell(tr);
    job.append(link, document.createElement("br"), small);
    cell(tr, "account");
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    var pct = document.createElement("span");
    pct.className = "pct";
    cell(tr).append(progress, " ", pct);
    cell(tr, "age");
    cell(tr, "duration");
    cell(tr, "thumbs");
    return tr;
  }

  function apply(tr, u) {
    var status = tr.querySelector(".status, td:first-child span");
    status.className = "status s-" + u.status;
    status.textContent = u.status;
    if (u.account_id && !tr.querySelector(".account a")) {
      var account = document.createElement("a");
      account.href = "/?account_id=" + encodeURIComponent(u.account_id);
      account.title = "jobs of this account";
      account.textContent = u.account_id;
      tr.querySelector(".account").replaceChildren(account);
    }
    if (u.event === "started" && !tr.dataset.started) tr.dataset.started = u.time;
    if (u.percent !== undefined) {
      tr.querySelector("progress").value = u.percent;
      tr.querySelector(".pct").textContent = u.percent + "%";
    }
    if (u.event === "completed" || u.event === "failed") tr.dataset.finished = u.time;
    var thumbs = tr.querySelector(".thumbs");
    if (u.images && !thumbs.querySelector("img")) {
      u.images.forEach(function (src, i) {
        var img = document.createElement("img");
        img.src = src;
        img.alt = "image " + i + " of job " + u.job_id.slice(0, 8);
        img.width = img.height = 64;
        thumbs.appendChild(img);
      });
    }
    if (u.error) {
      var err = document.createElement("span");
      err.className = "error";
      err.textContent = u.error.split(":")[0];
      thumbs.appendChild(err);
    }
  }

  function liveTable(table) {
    var body = table.querySelector("tbody");
    var state = document.getElementById("live");
    var source = new EventSource("/ui/stream");
    source.onopen = function () { state.textContent = "live"; };
    source.onerror = function () { state.textContent = "reconnecting…"; };
    source.addEventListener("row", function (message) {
      var u = JSON.parse(message.data);
      var tr = body.querySelector('tr[data-job="' + CSS.escape(u.job_id) + '"]');
      if (!tr) {
        // Only a new job enters the table, and only if the filters let it in (a new job has
        // no account yet).
        if (u.event !== "requested" || (table.dataset.status && table.dataset.status !== "pending")
            || (table.dataset.provider && table.dataset.provider !== u.provider)
            || table.dataset.account) return;
        tr = newRow(u);
        body.insertBefore(tr, body.firstChild);
        var empty = document.getElementById("empty");
        if (empty) empty.remove();
      }
      apply(tr, u);
      tick(table);
    });
    setInterval(function () { tick(table); }, 1000);
  }

  function liveJob(article) {
    var source = new EventSource("/ui/jobs/" + encodeURIComponent(article.dataset.job) + "/events");
    source.onopen = function () { article.dataset.stream = "open"; };
    var shown = new Set(Array.from(article.querySelectorAll("[data-event]"), function (li) {
      return li.dataset.event;
    }));
    function on(type, handle) {
      source.addEventListener("wowz.job." + type, function (message) {
        if (shown.has(message.lastEventId)) return;
        handle(JSON.parse(message.data));
      });
    }
    on("progress", function (data) {
      article.querySelector("progress").value = data.percent;
      article.querySelector(".pct").textContent = data.percent + "%";
    });
    // A new state: read the page again (the stream ends after the terminal event; a page
    // that is still not terminal when it loads listens again).
    ["started", "completed", "failed"].forEach(function (type) {
      on(type, function () {
        source.close();
        setTimeout(function () { location.reload(); }, 500);
      });
    });
  }

  var table = document.getElementById("jobs");
  if (table) liveTable(table);
  var article = document.getElementById("job");
  if (article && article.hasAttribute("data-live")) liveJob(article);
})();
