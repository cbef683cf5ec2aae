// Recalculates subtotals, totals and what is left of the frame while an editor types.
// The server checks everything again on save; this only shows the consequences at once.
(function () {
  "use strict";
  var grid = document.getElementById("grid");
  if (!grid) {
    return;
  }
  var texts = JSON.parse(document.getElementById("grid-texts").textContent);
  var language = document.documentElement.lang || "da";
  var format = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var years = grid.dataset.years.split(",");
  var UNKNOWN = /^(ukendt|unknown)$/i;
  var DANISH_GROUPED = /^\d{1,3}(\.\d{3})+(,\d+)?$/;
  var ENGLISH_GROUPED = /^\d{1,3}(,\d{3})+\.\d+$/;
  var PLAIN = /^\d+([.,]\d+)?$/;

  // The same reading as budgets.numbers.parse_amount: {amount, unknown} or null where it is no amount.
  function read(text) {
    var value = text.trim().replace(/\u00a0| /g, "");
    if (value === "" || value === "-") {
      return { amount: 0, unknown: false };
    }
    if (UNKNOWN.test(value)) {
      return { amount: 0, unknown: true };
    }
    var first = text.trim().split(/\s+/)[0];
    if (!/^[\d-]/.test(first)) {
      return /finansieret|financed/i.test(text) ? { amount: 0, unknown: false } : null;
    }
    var sign = 1;
    if (first.charAt(0) === "-") {
      if (!/korrektion|correction/i.test(text)) {
        return null;
      }
      sign = -1;
      first = first.slice(1);
    }
    if (DANISH_GROUPED.test(first)) {
      first = first.replace(/\./g, "").replace(",", ".");
    } else if (ENGLISH_GROUPED.test(first)) {
      first = first.replace(/,/g, "");
    } else if (PLAIN.test(first)) {
      first = first.replace(",", ".");
    } else {
      return null;
    }
    var amount = Number(first);
    if (!isFinite(amount) || Math.round(amount * 10) !== amount * 10) {
      return null;
    }
    return { amount: sign * Math.round(amount * 10), unknown: false };
  }

  function show(cell, tenths, unknown) {
    cell.textContent = format.format(tenths / 10) + (unknown ? " + " + texts.unknown : "");
  }

  function recalculate() {
    var totals = years.map(function () { return { tenths: 0, unknown: false }; });
    grid.querySelectorAll("tbody").forEach(function (section) {
      var sums = years.map(function () { return { tenths: 0, unknown: false }; });
      section.querySelectorAll("input[type=text][data-column]").forEach(function (input) {
        var column = Number(input.dataset.column);
        var reading = read(input.value);
        input.classList.toggle("invalid", reading === null);
        input.classList.toggle("changed", input.value.trim() !== input.dataset.shown.trim());
        input.setAttribute("aria-invalid", reading === null ? "true" : "false");
        input.title = reading === null ? texts.invalid : "";
        if (reading) {
          sums[column].tenths += reading.amount;
          sums[column].unknown = sums[column].unknown || reading.unknown;
        }
      });
      sums.forEach(function (sum, column) {
        var cell = section.querySelector("[data-subtotal='" + column + "']");
        if (cell) {
          show(cell, sum.tenths, sum.unknown);
        }
        totals[column].tenths += sum.tenths;
        totals[column].unknown = totals[column].unknown || sum.unknown;
      });
    });
    var warnings = [];
    totals.forEach(function (total, column) {
      show(grid.querySelector("[data-total='" + column + "']"), total.tenths, total.unknown);
      var frameCell = grid.querySelector("[data-frame='" + column + "']");
      if (!frameCell.dataset.amount) {
        return;
      }
      var frame = Math.round(Number(frameCell.dataset.amount) * 10);
      show(grid.querySelector("[data-left='" + column + "']"), frame - total.tenths, false);
      if (total.tenths > frame) {
        warnings.push(texts.over.replace("%(year)s", years[column]).replace("%(amount)s", format.format((total.tenths - frame) / 10)));
      }
    });
    document.getElementById("frame-warning").textContent = warnings.join(" ");
  }

  // Send only the cells the editor changed (each with what it showed and its version): a grid of 1.000 lines
  // holds 30.000 fields, and the server reads a missing cell as unchanged.
  grid.closest("form").addEventListener("formdata", function (event) {
    grid.querySelectorAll("input[type=text][data-column]").forEach(function (input) {
      if (input.value.trim() === input.dataset.shown.trim()) {
        var key = input.name.slice(2);
        event.formData.delete(input.name);
        event.formData.delete("o-" + key);
        event.formData.delete("v-" + key);
      }
    });
  });

  grid.addEventListener("input", recalculate);
  recalculate();
})();
