// The Plotly the site draws with: its core (scatter) and the bar trace, nothing else (see Makefile, `make assets`).
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/bar"), require("plotly.js/lib/locales/da")]);

module.exports = Plotly;
