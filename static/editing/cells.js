// Reads a cell of the budget grid as budgets/cells.py parse_cell does, so the sums shown while typing are the sums
// the server will store: an amount, "ukendt", a text saying the money is financed elsewhere, or nothing. Anything
// else, several numbers in one cell or a number followed by words among them, is read as invalid, never in part.
// tests/browser/test_grid_in_browser.py holds this reading against parse_cell's on the same texts.
var BudgetCells = (function () {
  "use strict";
  var EMPTY = ["", "-", "\u2013"];
  var UNKNOWN = /^(ukendt|unknown)$/i;
  var FINANCED = /finansieret|financed/i;
  var MINUS = /^[-\u2212]/;
  var DANISH_GROUPED = /^\d{1,3}(\.\d{3})+(,\d+)?$/;
  var ENGLISH_GROUPED = /^\d{1,3}(,\d{3})+\.\d+$/;
  var SPACE_GROUPED = /^\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$/;
  var PLAIN = /^\d+([.,]\d+)?$/;
  // Control characters, C1 included, and the tabs and line breaks of a block pasted into one cell.
  var CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
  // What Python's str.strip() takes off that is no control character (JavaScript's trim() also takes U+FEFF).
  var EDGE_SPACE = /^[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
  var TEXT_LENGTH = 200; // budgets.cells.TEXT_LENGTH
  var MAXIMUM_TENTHS = 100000; // 10.000 mio. kr., as budgets.models.MAXIMUM_AMOUNT
  var MAXIMUM_DIGITS = 8; // budgets.numbers.MAXIMUM_DIGITS

  // Tenths of mio. kr. of a plain amount (no sign), or null where it is none.
  function amount(text) {
    var normalised;
    if (DANISH_GROUPED.test(text)) {
      normalised = text.replace(/\./g, "").replace(",", ".");
    } else if (ENGLISH_GROUPED.test(text)) {
      normalised = text.replace(/,/g, "");
    } else if (SPACE_GROUPED.test(text)) {
      normalised = text.replace(/[ \u00a0\u202f]/g, "").replace(",", ".");
    } else if (PLAIN.test(text)) {
      normalised = text.replace(",", ".");
    } else {
      return null;
    }
    var parts = normalised.split(".");
    var whole = parts[0].replace(/^0+/, "");
    var fraction = (parts[1] || "").replace(/0+$/, "");
    if (whole.length > MAXIMUM_DIGITS || fraction.length > 1) {
      return null;
    }
    return Number(whole || "0") * 10 + Number(fraction || "0");
  }

  function invalid(reason) {
    return { kind: "invalid", tenths: 0, reason: reason };
  }

  // {kind: "empty" | "amount" | "unknown" | "financed" | "invalid", tenths, reason}
  function read(value, correction) {
    if (CONTROL.test(value)) {
      return invalid(/[\t\n\r]/.test(value) ? "several" : "not_amount");
    }
    var text = value.replace(EDGE_SPACE, "");
    if (EMPTY.indexOf(text) !== -1) {
      return correction ? invalid("not_amount") : { kind: "empty", tenths: 0 };
    }
    if (/^[-\u2212+.,\p{Nd}]/u.test(text)) {
      var negative = MINUS.test(text);
      if (negative && !correction) {
        return invalid("negative");
      }
      var digits = negative ? text.slice(1).replace(EDGE_SPACE, "") : text;
      var tenths = amount(digits);
      if (tenths === null) {
        var parts = digits.split(/[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/);
        return invalid(parts.length > 1 && parts.every(function (part) { return amount(part) !== null; })
          ? "several" : "not_amount");
      }
      if (tenths > MAXIMUM_TENTHS) {
        return invalid("too_much");
      }
      return { kind: "amount", tenths: negative ? -tenths : tenths };
    }
    if (correction) {
      return invalid("not_amount");
    }
    if (UNKNOWN.test(text)) {
      return { kind: "unknown", tenths: 0 };
    }
    return FINANCED.test(text) && text.length <= TEXT_LENGTH ? { kind: "financed", tenths: 0 } : invalid("not_amount");
  }

  return { read: read };
})();
