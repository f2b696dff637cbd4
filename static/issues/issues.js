// Issue pages. No inline scripts (a strict Content-Security-Policy comes later).
(function () {
  "use strict";

  // A form submits once: a second tap while the first is on its way does nothing.
  // (The server also refuses a second issue for the same one-time key.)
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // Disabled after the browser has taken the clicked button's name and value.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
          button.textContent = button.dataset.busy || button.textContent;
        });
      }, 0);
    });
  });

  // The duplicate warning: open issues of the same category in the same compound, last 7 days.
  var box = document.getElementById("similar-warning");
  if (box) {
    var form = box.closest("form");
    var unit = form.querySelector("[name=unit]");
    var category = form.querySelector("[name=category]");
    var list = box.querySelector("ul");
    var refresh = function () {
      if (!unit.value || !category.value || !/^\d+$/.test(unit.value)) {
        box.hidden = true;
        return;
      }
      var url = box.dataset.url + "?unit=" + encodeURIComponent(unit.value) + "&category=" + encodeURIComponent(category.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { issues: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.issues.forEach(function (issue) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = issue.url;
            link.textContent = "#" + issue.id;
            item.appendChild(link);
            item.appendChild(document.createTextNode(" " + issue.created_at + " · " + issue.unit + " · " + issue.status + " · " + issue.summary));
            list.appendChild(item);
          });
          box.hidden = data.issues.length === 0;
        })
        .catch(function () { box.hidden = true; });
    };
    unit.addEventListener("change", refresh);
    category.addEventListener("change", refresh);
    refresh();
  }

  // Photos on the log form: a thumbnail of each chosen (or kept) photo before sending, each with a
  // remove button. A kept photo (staged by the server after a form error) is a hidden token input:
  // removing it removes the input. A chosen file is removed by rebuilding its input's file list.
  var picker = document.querySelector(".photo-picker");
  if (picker) {
    var previews = picker.querySelector("[data-previews]");
    var inputs = picker.querySelectorAll("input[type=file]");
    var canRebuild = typeof DataTransfer === "function";
    var render = function () {
      previews.querySelectorAll("li[data-chosen]").forEach(function (item) {
        URL.revokeObjectURL(item.dataset.url);
        item.remove();
      });
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file, index) {
          var item = document.createElement("li");
          item.dataset.chosen = "1";
          var url = URL.createObjectURL(file);
          item.dataset.url = url;
          var image = document.createElement("img");
          image.src = url;
          image.alt = file.name;
          item.appendChild(image);
          if (canRebuild) {
            var remove = document.createElement("button");
            remove.type = "button";
            remove.textContent = "×";
            remove.setAttribute("aria-label", (picker.dataset.removeLabel || "移除") + " " + file.name);
            remove.addEventListener("click", function () {
              var kept = new DataTransfer();
              Array.prototype.forEach.call(input.files, function (other, i) {
                if (i !== index) { kept.items.add(other); }
              });
              input.files = kept.files;
              render();
            });
            item.appendChild(remove);
          }
          previews.appendChild(item);
        });
      });
    };
    inputs.forEach(function (input) { input.addEventListener("change", render); });
    previews.addEventListener("click", function (event) {
      var button = event.target.closest("li[data-staged] [data-remove]");
      if (button) { button.closest("li").remove(); }
    });
    render();
  }

  // "Select all" in the inbox.
  var all = document.getElementById("pick-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=issues]").forEach(function (box) { box.checked = all.checked; });
    });
  }
})();
