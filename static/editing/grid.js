// The budget grid as a spreadsheet: keys as in Excel, block paste and copy, undo and redo, sums that follow every
// keystroke, a note per cell for its remark and correction mark. Without this script the grid is a plain form that
// saves all the same. The server reads and checks everything again on save; this only spares the editor surprises.
(function () {
  "use strict";
  var grid = document.getElementById("grid");
  if (!grid || typeof BudgetCells === "undefined") {
    return;
  }
  var started = performance.now();
  var form = grid.closest("form");
  var scroller = document.getElementById("grid-scroll");
  var texts = JSON.parse(document.getElementById("grid-texts").textContent);
  var language = document.documentElement.lang || "da";
  var number = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var plurals = new Intl.PluralRules(language);
  var years = grid.dataset.years.split(",");
  var width = years.length;
  var status = document.getElementById("grid-status");
  var message = document.getElementById("grid-message");
  var unsaved = document.getElementById("unsaved-count");
  var warning = document.getElementById("frame-warning");
  var dialog = document.getElementById("note-dialog");

  function say(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  }

  function counted(forms, count) {
    return say(forms[plurals.select(count)] || forms.other, { count: count });
  }

  // Announced to screen readers; emptied first, so the same words twice are read twice.
  function announce(text) {
    status.textContent = "";
    window.requestAnimationFrame(function () { status.textContent = text; });
  }

  function showMessage(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  // ---- The sums: each kept as tenths of mio. kr. with its unknown and financed cells counted, as a Figure ----

  function Sum() {
    this.tenths = 0;
    this.unknown = 0;
    this.financed = 0;
  }
  Sum.prototype.add = function (reading, sign) {
    this.tenths += sign * reading.tenths;
    this.unknown += sign * (reading.kind === "unknown" ? 1 : 0);
    this.financed += sign * (reading.kind === "financed" ? 1 : 0);
  };

  function shown(sum) {
    if (sum.unknown && !sum.tenths) {
      return texts.unknown;
    }
    if (sum.financed && !sum.tenths) {
      return texts.financed;
    }
    if (sum.unknown) {
      // A sum with unknown cells is at least its known part, never shown as that alone.
      return say(texts.at_least, { amount: number.format(sum.tenths / 10) }) + " " + texts.plus_unknown;
    }
    return number.format(sum.tenths / 10);
  }

  function sums(count) {
    var made = [];
    for (var index = 0; index < count; index += 1) {
      made.push(new Sum());
    }
    return made;
  }

  // ---- The cells, read once: rows of lines, each with its inputs in year order ----

  var rows = [];
  var sections = [];
  var cellOf = new Map();
  var totals = sums(width);
  var grandTotal = new Sum();
  var frames = [];
  grid.querySelectorAll("tbody").forEach(function (tbody) {
    var heading = tbody.querySelector("tr.chapter-heading");
    var section = {
      title: heading ? heading.querySelector("th").textContent.trim() : "",
      sums: sums(width),
      total: new Sum(),
      cells: heading ? Array.prototype.slice.call(heading.querySelectorAll("[data-subtotal]")) : [],
    };
    sections.push(section);
    tbody.querySelectorAll("tr.line").forEach(function (tr) {
      var row = {
        index: rows.length,
        section: section,
        label: tr.querySelector("th[scope=row]"),
        totalCell: tr.querySelector(".row-total"),
        total: new Sum(),
        cells: [],
      };
      row.label.tabIndex = -1;
      tr.querySelectorAll("input[type=text]").forEach(function (input, column) {
        var td = input.parentNode;
        var shownParts = td.querySelector("input[name^='o-']").value.split("\t");
        var cell = {
          input: input,
          td: td,
          row: row,
          column: column,
          key: input.name.slice(2),
          shown: { value: shownParts[0], remark: shownParts[1] || "", correction: shownParts[2] === "1" },
          reading: { kind: "empty", tenths: 0 },
          changed: false,
        };
        input.tabIndex = -1;
        row.cells.push(cell);
        cellOf.set(input, cell);
      });
      rows.push(row);
    });
  });
  grid.querySelectorAll("[data-frame]").forEach(function (td) {
    frames.push(td.dataset.amount ? Math.round(Number(td.dataset.amount) * 10) : null);
  });
  var totalCells = [];
  var leftCells = [];
  var explained = [];
  for (var column = 0; column < width; column += 1) {
    totalCells.push(grid.querySelector("[data-total='" + column + "']"));
    leftCells.push(grid.querySelector("[data-left='" + column + "']"));
    explained.push(Math.round(Number(leftCells[column].dataset.explained || 0) * 10));
  }
  var explainedTotal = explained.reduce(function (sum, tenths) { return sum + tenths; }, 0);
  var grandTotalCell = grid.querySelector("[data-total='total']");
  var leftTotalCell = grid.querySelector("[data-left='total']");
  var framesKnown = frames.every(function (frame) { return frame !== null; });
  var frameTotal = frames.reduce(function (sum, frame) { return sum + (frame || 0); }, 0);
  var changedCount = 0;

  function field(cell, kind) {
    return cell.td.querySelector("input[name='" + kind + "-" + cell.key + "']");
  }

  function state(cell) {
    var remark = field(cell, "r");
    var correction = field(cell, "k");
    return {
      value: cell.input.value,
      remark: remark ? remark.value : "",
      correction: Boolean(correction && correction.value === "1"),
    };
  }

  function sameState(first, second) {
    return first.value.trim() === second.value.trim() && first.remark.trim() === second.remark.trim() &&
      first.correction === second.correction;
  }

  // Redraw the sums one cell touches: its row, its chapter's and the grid's column, what is left of the frame.
  function drawColumn(section, column) {
    if (section.cells[column]) {
      section.cells[column].textContent = shown(section.sums[column]);
      section.cells[width].textContent = shown(section.total);
    }
    totalCells[column].textContent = shown(totals[column]);
    grandTotalCell.textContent = shown(grandTotal);
    // Nobody knows how much of the frame an unknown cell takes, so what is left is unknown too.
    if (frames[column] !== null) {
      leftCells[column].textContent = totals[column].unknown ? texts.unknown :
        number.format((frames[column] - totals[column].tenths - explained[column]) / 10);
    }
    if (framesKnown) {
      leftTotalCell.textContent = grandTotal.unknown ? texts.unknown :
        number.format((frameTotal - grandTotal.tenths - explainedTotal) / 10);
    }
  }

  function drawWarning() {
    var over = [];
    for (var index = 0; index < width; index += 1) {
      if (frames[index] !== null && totals[index].tenths + explained[index] > frames[index]) {
        over.push(say(texts.over, { year: years[index], amount: number.format((totals[index].tenths + explained[index] - frames[index]) / 10) }));
      }
    }
    var text = over.join(" ");
    if (warning.textContent !== text) {
      warning.textContent = text;
    }
  }

  function drawUnsaved() {
    unsaved.textContent = changedCount ? counted(texts.unsaved, changedCount) : "";
  }

  // Read one cell again and move every sum it is part of by the difference: a keystroke costs the same in a grid
  // of 1.000 lines as in one of ten.
  function reread(cell, draw) {
    var now = state(cell);
    var reading = BudgetCells.read(now.value, now.correction);
    var before = cell.reading;
    var section = cell.row.section;
    [section.sums[cell.column], section.total, cell.row.total, totals[cell.column], grandTotal].forEach(function (sum) {
      sum.add(before, -1);
      sum.add(reading, 1);
    });
    cell.reading = reading;
    var isInvalid = reading.kind === "invalid";
    if (cell.input.classList.contains("invalid") !== isInvalid) {
      cell.input.classList.toggle("invalid", isInvalid);
      cell.input.setAttribute("aria-invalid", isInvalid ? "true" : "false");
    }
    // A text longer than the cell is shown whole on focus and when the pointer rests on it.
    var title = isInvalid ? texts.invalid + ": " + texts[reading.reason] : reading.kind === "financed" ? now.value : "";
    if (cell.input.title !== title) {
      cell.input.title = title;
    }
    var changed = !sameState(now, cell.shown);
    if (changed !== cell.changed) {
      cell.changed = changed;
      cell.td.classList.toggle("changed", changed);
      changedCount += changed ? 1 : -1;
    }
    if (draw !== false) {
      cell.row.totalCell.textContent = cell.row.cells.every(function (each) { return each.reading.kind === "empty"; })
        ? "" : shown(cell.row.total);
      drawColumn(section, cell.column);
      drawWarning();
      drawUnsaved();
    }
  }

  function drawAll() {
    rows.forEach(function (row) {
      row.totalCell.textContent = row.cells.every(function (each) { return each.reading.kind === "empty"; })
        ? "" : shown(row.total);
    });
    sections.forEach(function (section) {
      for (var index = 0; index < width; index += 1) {
        drawColumn(section, index);
      }
    });
    drawWarning();
    drawUnsaved();
  }

  rows.forEach(function (row) {
    row.cells.forEach(function (cell) { reread(cell, false); });
  });
  drawAll();

  // ---- Writing cells: every change goes through here, as one step that can be undone ----

  var undoStack = [];
  var redoStack = [];
  var undoButton = document.getElementById("undo-button");
  var redoButton = document.getElementById("redo-button");

  function setState(cell, wanted) {
    cell.input.value = wanted.value;
    setNote(cell, wanted.remark, wanted.correction);
    reread(cell);
  }

  function setNote(cell, remark, correction) {
    var remarkField = field(cell, "r");
    var remarkText = cell.td.querySelector(".remark");
    if (remark && !remarkField) {
      remarkField = hidden(cell, "r");
      remarkText = document.createElement("span");
      remarkText.className = "remark";
      remarkText.id = "remark-" + cell.key;
      cell.td.appendChild(remarkText);
      var described = (cell.input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(remarkText.id);
      cell.input.setAttribute("aria-describedby", described.join(" "));
    }
    if (remarkField) {
      remarkField.value = remark;
      remarkText.textContent = remark;
      cell.td.classList.toggle("has-remark", Boolean(remark));
    }
    var correctionField = field(cell, "k") || (correction ? hidden(cell, "k") : null);
    if (correctionField) {
      correctionField.value = correction ? "1" : "";
    }
  }

  function hidden(cell, kind) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = kind + "-" + cell.key;
    cell.td.insertBefore(input, cell.input.nextSibling);
    return input;
  }

  // changes: [{cell, before, after}]
  function record(changes) {
    changes = changes.filter(function (change) { return !sameState(change.before, change.after); });
    if (!changes.length) {
      return;
    }
    undoStack.push(changes);
    redoStack = [];
    drawHistoryButtons();
  }

  function drawHistoryButtons() {
    undoButton.disabled = !undoStack.length;
    redoButton.disabled = !redoStack.length;
  }

  function replay(from, to, side, words) {
    var changes = from.pop();
    if (!changes) {
      return;
    }
    changes.forEach(function (change) { setState(change.cell, change[side]); });
    to.push(changes);
    drawHistoryButtons();
    var first = changes[0].cell;
    select(first, changes[changes.length - 1].cell);
    focusCell(first);
    announce(counted(words, changes.length));
  }

  function undo() {
    if (editing && !sameState(state(active), editing.before)) {
      restore();
      return;
    }
    replay(undoStack, redoStack, "before", texts.undone);
  }

  function redo() {
    replay(redoStack, undoStack, "after", texts.redone);
  }

  undoButton.addEventListener("click", undo);
  redoButton.addEventListener("click", redo);

  // ---- Moving, selecting and editing as in a spreadsheet ----

  var active = null; // the cell with the focus, or the last one that had it
  var editing = null; // {before, mode: "enter" | "edit"} while a cell is being typed in
  var anchor = null; // where a selected block starts
  var selected = [];
  var justFocused = false;

  function at(rowIndex, column) {
    var row = rows[rowIndex];
    return row ? row.cells[column] || null : null;
  }

  function focusCell(cell) {
    cell.input.focus();
  }

  function select(from, to) {
    selected.forEach(function (cell) { cell.td.classList.remove("selected"); });
    selected = [];
    anchor = from;
    if (!from || !to || from === to) {
      return;
    }
    var top = Math.min(from.row.index, to.row.index);
    var bottom = Math.max(from.row.index, to.row.index);
    var left = Math.min(from.column, to.column);
    var right = Math.max(from.column, to.column);
    for (var rowIndex = top; rowIndex <= bottom; rowIndex += 1) {
      for (var column = left; column <= right; column += 1) {
        var cell = at(rowIndex, column);
        cell.td.classList.add("selected");
        selected.push(cell);
      }
    }
  }

  // The cells a copy takes: the selected block, or the active cell.
  function block() {
    if (selected.length) {
      var top = Math.min.apply(null, selected.map(function (cell) { return cell.row.index; }));
      var left = Math.min.apply(null, selected.map(function (cell) { return cell.column; }));
      var bottom = Math.max.apply(null, selected.map(function (cell) { return cell.row.index; }));
      var right = Math.max.apply(null, selected.map(function (cell) { return cell.column; }));
      var lines = [];
      for (var rowIndex = top; rowIndex <= bottom; rowIndex += 1) {
        var line = [];
        for (var column = left; column <= right; column += 1) {
          line.push(at(rowIndex, column));
        }
        lines.push(line);
      }
      return lines;
    }
    return active ? [[active]] : [];
  }

  function commit() {
    if (!editing || !active) {
      return;
    }
    record([{ cell: active, before: editing.before, after: state(active) }]);
    editing = null;
  }

  function restore() {
    if (!editing) {
      return;
    }
    setState(active, editing.before);
    editing = null;
    active.input.select();
  }

  function move(cell, down, across, extend) {
    var target = at(cell.row.index + down, cell.column + across);
    if (!target) {
      return false;
    }
    commit();
    if (extend) {
      var from = anchor || cell;
      focusCell(target);
      select(from, target);
    } else {
      select(null, null);
      focusCell(target);
    }
    return true;
  }

  grid.addEventListener("focusin", function (event) {
    var cell = cellOf.get(event.target);
    if (!cell) {
      return;
    }
    if (active && active !== cell) {
      active.input.tabIndex = -1;
    }
    active = cell;
    cell.input.tabIndex = 0;
    editing = null;
    cell.input.select();
    justFocused = true;
  });

  grid.addEventListener("focusout", function (event) {
    if (cellOf.get(event.target) === active) {
      commit();
    }
  });

  // A click selects the whole cell as Excel does, so typing replaces it; a double click edits it.
  grid.addEventListener("mouseup", function (event) {
    if (justFocused && cellOf.get(event.target)) {
      event.preventDefault();
    }
    justFocused = false;
  });
  grid.addEventListener("mousedown", function (event) {
    var cell = cellOf.get(event.target);
    if (cell && event.shiftKey && active && cell !== active) {
      event.preventDefault();
      select(anchor || active, cell);
    } else if (cell && cell !== active) {
      select(null, null);
    }
  });
  grid.addEventListener("dblclick", function (event) {
    var cell = cellOf.get(event.target);
    if (cell) {
      editing = editing || { before: state(cell) };
      editing.mode = "edit";
    }
  });

  grid.addEventListener("input", function (event) {
    var cell = cellOf.get(event.target);
    if (!cell) {
      return;
    }
    if (!editing) {
      // The first keystroke in a cell: what it held before is what Escape puts back.
      editing = { before: cell.before || state(cell), mode: "enter" };
    }
    cell.before = null;
    reread(cell);
  });

  // Keep what the cell held when a keystroke arrives, before the browser changes it.
  grid.addEventListener("beforeinput", function (event) {
    var cell = cellOf.get(event.target);
    if (cell && !editing) {
      cell.before = state(cell);
    }
  });

  grid.addEventListener("keydown", function (event) {
    var cell = cellOf.get(event.target);
    var key = event.key;
    if (!cell) {
      onLabelKey(event);
      return;
    }
    if ((event.ctrlKey || event.metaKey) && !event.altKey) {
      if (key === "z" || key === "Z") {
        event.preventDefault();
        if (event.shiftKey) {
          redo();
        } else {
          undo();
        }
      } else if (key === "y" || key === "Y") {
        event.preventDefault();
        redo();
      } else if (key === "Home" || key === "End") {
        event.preventDefault();
        var end = key === "End";
        move(cell, (end ? rows.length - 1 : 0) - cell.row.index, (end ? width - 1 : 0) - cell.column, event.shiftKey);
      }
      return;
    }
    var mode = editing ? editing.mode : "ready";
    switch (key) {
      case "Enter":
        // Never submits: Enter moves down and Shift+Enter up, as in a spreadsheet.
        event.preventDefault();
        if (!move(cell, event.shiftKey ? -1 : 1, 0, false)) {
          commit();
        }
        return;
      case "Tab":
        // Across the row; past its end the focus leaves the grid for the reason and the save button.
        if (move(cell, 0, event.shiftKey ? -1 : 1, false)) {
          event.preventDefault();
        } else {
          commit();
        }
        return;
      case "Escape":
        if (editing) {
          event.preventDefault();
          restore();
        } else if (selected.length) {
          select(null, null);
        }
        return;
      case "F2":
        event.preventDefault();
        if (event.shiftKey) {
          openNote(cell);
          return;
        }
        editing = editing || { before: state(cell) };
        editing.mode = "edit";
        cell.input.setSelectionRange(cell.input.value.length, cell.input.value.length);
        return;
      case "ArrowUp":
      case "ArrowDown":
      case "ArrowLeft":
      case "ArrowRight":
        if (mode === "edit") {
          return;
        }
        event.preventDefault();
        var down = key === "ArrowDown" ? 1 : key === "ArrowUp" ? -1 : 0;
        var across = key === "ArrowRight" ? 1 : key === "ArrowLeft" ? -1 : 0;
        if (across === -1 && cell.column === 0 && !event.shiftKey) {
          commit();
          select(null, null);
          cell.row.label.focus();
          return;
        }
        move(cell, down, across, event.shiftKey && mode === "ready");
        return;
      case "Delete":
      case "Backspace":
        if (mode === "ready" && selected.length) {
          event.preventDefault();
          write(selected.map(function (each) { return { cell: each, value: "" }; }));
        }
        return;
      default:
        return;
    }
  });

  // The row titles take the focus too (ArrowLeft from a row's first year), as a spreadsheet's row headers do.
  function onLabelKey(event) {
    var row = rows.find(function (each) { return each.label === event.target; });
    if (!row) {
      return;
    }
    var target = null;
    if (event.key === "ArrowRight" || event.key === "Enter") {
      target = row.cells[0];
    } else if (event.key === "ArrowUp" && rows[row.index - 1]) {
      event.preventDefault();
      rows[row.index - 1].label.focus();
      return;
    } else if (event.key === "ArrowDown" && rows[row.index + 1]) {
      event.preventDefault();
      rows[row.index + 1].label.focus();
      return;
    }
    if (target) {
      event.preventDefault();
      focusCell(target);
    }
  }

  // ---- Several cells at once: paste, copy, clear ----

  // writes: [{cell, value}]; one step of undo for all of them.
  function write(writes) {
    commit();
    var changes = writes.map(function (item) {
      var before = state(item.cell);
      var after = { value: item.value, remark: before.remark, correction: before.correction };
      setState(item.cell, after);
      return { cell: item.cell, before: before, after: after };
    });
    record(changes);
    if (active) {
      active.input.select();
    }
    return changes.length;
  }

  // Tab-separated values as Excel, LibreOffice and Google Sheets put them on the clipboard: a cell holding a tab,
  // a line break or a quote is quoted, its quotes doubled; the last line break ends the block.
  function parseBlock(text) {
    var lines = [[]];
    var value = "";
    var quoted = false;
    var index = 0;
    text = text.replace(/\r\n?/g, "\n");
    while (index < text.length) {
      var character = text.charAt(index);
      if (quoted) {
        if (character === '"' && text.charAt(index + 1) === '"') {
          value += '"';
          index += 1;
        } else if (character === '"') {
          quoted = false;
        } else {
          value += character;
        }
      } else if (character === '"' && value === "") {
        quoted = true;
      } else if (character === "\t") {
        lines[lines.length - 1].push(value);
        value = "";
      } else if (character === "\n") {
        lines[lines.length - 1].push(value);
        value = "";
        lines.push([]);
      } else {
        value += character;
      }
      index += 1;
    }
    lines[lines.length - 1].push(value);
    if (lines.length > 1 && lines[lines.length - 1].length === 1 && lines[lines.length - 1][0] === "") {
      lines.pop();
    }
    var columns = Math.max.apply(null, lines.map(function (line) { return line.length; }));
    return lines.map(function (line) {
      while (line.length < columns) {
        line.push("");
      }
      return line;
    });
  }

  function refusePaste(text) {
    showMessage(text);
    announce(text);
  }

  function paste(cell, text) {
    var lines = parseBlock(text);
    var height = lines.length;
    var across = lines[0].length;
    if (cell.row.index + height > rows.length || cell.column + across > width) {
      refusePaste(say(texts.too_large, { rows: height, columns: across }));
      return;
    }
    var writes = [];
    for (var down = 0; down < height; down += 1) {
      var row = rows[cell.row.index + down];
      if (row.section !== cell.row.section) {
        refusePaste(say(texts.crosses, { chapter: row.section.title || row.label.textContent.trim() }));
        return;
      }
      for (var right = 0; right < across; right += 1) {
        var target = row.cells[cell.column + right];
        var value = lines[down][right].trim();
        var reading = BudgetCells.read(value, state(target).correction);
        if (reading.kind === "invalid") {
          refusePaste(say(texts.unreadable, { row: down + 1, column: right + 1, text: value, message: texts[reading.reason] }));
          return;
        }
        writes.push({ cell: target, value: value });
      }
    }
    showMessage("");
    var count = write(writes);
    select(writes[0].cell, writes[writes.length - 1].cell);
    announce(counted(texts.pasted, count));
  }

  grid.addEventListener("paste", function (event) {
    var text = (event.clipboardData || window.clipboardData).getData("text/plain");
    var cell = cellOf.get(event.target);
    if (!cell) {
      if (rows.some(function (row) { return row.label === event.target; })) {
        event.preventDefault();
        refusePaste(texts.onto_label);
      }
      return;
    }
    var single = !/[\t\n\r]/.test(text.replace(/\r?\n$/, ""));
    if (single && editing && editing.mode === "edit") {
      return; // typed into the text at the caret, as any paste into a field
    }
    event.preventDefault();
    paste(cell, text);
  });

  function quote(value) {
    return /[\t\n\r"]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  grid.addEventListener("copy", function (event) {
    var cell = cellOf.get(event.target);
    if (!cell || (editing && editing.mode === "edit")) {
      return;
    }
    var lines = block();
    event.preventDefault();
    event.clipboardData.setData("text/plain", lines.map(function (line) {
      return line.map(function (each) { return quote(each.input.value.trim()); }).join("\t");
    }).join("\r\n") + "\r\n");
    announce(counted(texts.copied, lines.length * lines[0].length));
  });

  // ---- A cell's note: its remark and whether it is a correction ----

  var noted = null;
  var noteRemark = document.getElementById("note-remark");
  var noteCorrection = document.getElementById("note-correction");

  function openNote(cell) {
    if (!cell || typeof dialog.showModal !== "function") {
      return;
    }
    commit();
    noted = cell;
    var now = state(cell);
    document.getElementById("note-title").textContent = say(texts.remark_title, {
      cell: document.getElementById("label-" + cell.row.label.id.slice(5)).textContent + " " + years[cell.column],
    });
    noteRemark.value = now.remark;
    noteCorrection.checked = now.correction;
    dialog.showModal();
  }

  dialog.addEventListener("close", function () {
    var cell = noted;
    noted = null;
    if (!cell || dialog.returnValue !== "ok") {
      return;
    }
    var before = state(cell);
    var after = { value: before.value, remark: noteRemark.value.trim(), correction: noteCorrection.checked };
    setState(cell, after);
    record([{ cell: cell, before: before, after: after }]);
    focusCell(cell);
  });

  document.getElementById("note-button").addEventListener("click", function () {
    openNote(active || (rows[0] && rows[0].cells[0]));
  });

  // ---- A conflict: the value someone else saved stands; one click keeps it or puts back the editor's ----

  grid.querySelectorAll(".conflict-note").forEach(function (note) {
    var cell = cellOf.get(note.parentNode.querySelector("input[type=text]"));
    var theirs = note.querySelector(".take-theirs");
    var mine = note.querySelector(".keep-mine");
    function settle(words) {
      theirs.remove();
      mine.remove();
      note.parentNode.classList.add("settled");
      announce(words);
      focusCell(cell);
    }
    theirs.hidden = false;
    mine.hidden = false;
    theirs.addEventListener("click", function () { settle(texts.took_theirs); });
    mine.addEventListener("click", function () {
      var before = state(cell);
      var after = { value: mine.dataset.value, remark: mine.dataset.remark, correction: mine.dataset.correction === "1" };
      setState(cell, after);
      record([{ cell: cell, before: before, after: after }]);
      settle(texts.kept_mine);
    });
  });

  // ---- Saving and leaving ----

  var submitting = false;

  // Send only the changed cells (each with what it showed and its version): a grid of 1.000 lines holds 30.000
  // fields, and the server reads a cell that is not sent as unchanged.
  form.addEventListener("formdata", function (event) {
    rows.forEach(function (row) {
      row.cells.forEach(function (cell) {
        if (!cell.changed) {
          ["c", "o", "v", "r", "k"].forEach(function (kind) { event.formData.delete(kind + "-" + cell.key); });
        }
      });
    });
  });
  form.addEventListener("submit", function () {
    commit();
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (changedCount && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ---- The page as it arrives: the keys' toolbar, sticky rows sized, a refused save's summary in focus ----

  document.getElementById("grid-toolbar").hidden = false;
  var first = rows.length ? rows[0].cells[0] : null;
  if (first) {
    first.input.tabIndex = 0;
  }

  // The chapter headings stick below the header row, whatever height the header has.
  function stick() {
    scroller.style.setProperty("--grid-head", grid.tHead.getBoundingClientRect().height + "px");
  }
  stick();
  window.addEventListener("resize", stick);

  document.querySelectorAll("[data-focus]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var input = document.getElementById(link.dataset.focus);
      if (input) {
        event.preventDefault();
        input.focus();
      }
    });
  });
  // make bench reads how long the set-up took (benchmarks/grid.py).
  performance.measure("grid-setup", { start: started });
  var summary = document.getElementById("error-summary") || document.getElementById("conflict-summary");
  if (summary) {
    summary.focus();
  } else {
    var saved = document.querySelector(".messages");
    if (saved) {
      announce(saved.textContent.trim());
    }
  }
})();
