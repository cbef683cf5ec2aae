// Builds the front-end files the site serves from static/vendor/ out of the npm packages in package-lock.json:
//   - plotly-site.min.js: plotly.js (the version the Python plotly package is made for) with only the traces the
//     site draws, and its Danish locale;
//   - dkfds/: Det Fælles Designsystem's CSS as assets/dkfds.scss selects it, with the fonts and icons it names.
// The output is committed, so `make run` needs nothing but Python; `make assets` runs this after an upgrade, and
// tests/test_static_assets.py checks the files match the packages' versions.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modules = path.join(root, "node_modules");
const vendor = path.join(root, "static", "vendor");
const version = (name) => JSON.parse(fs.readFileSync(path.join(modules, name, "package.json"))).version;

async function plotly() {
  await esbuild.build({
    entryPoints: [path.join(root, "assets", "plotly.js")],
    outfile: path.join(vendor, "plotly-site.min.js"),
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "Plotly",
    target: "es2017",
    define: { global: "window", "define.amd": "false" },
    // plotly.js registers the map traces' stylesheet in its core; the site draws no maps.
    loader: { ".css": "empty" },
    legalComments: "none",
    banner: { js: `/*! plotly.js v${version("plotly.js")} (MIT): core and bar traces, Danish locale */` },
    logLevel: "warning",
  });
}

function dkfds() {
  const source = path.join(modules, "dkfds", "dist");
  const target = path.join(vendor, "dkfds");
  fs.rmSync(target, { recursive: true, force: true });
  for (const folder of ["css", "fonts", "img"]) fs.mkdirSync(path.join(target, folder), { recursive: true });
  const css = sass.compile(path.join(root, "assets", "dkfds.scss"), {
    loadPaths: [modules],
    style: "compressed",
    quietDeps: true,
    silenceDeprecations: ["import", "global-builtin"],
  }).css;
  fs.writeFileSync(path.join(target, "css", "dkfds.min.css"), `/*! dkfds v${version("dkfds")} (MIT, OFL-1.1) */\n${css}\n`);
  // Every file the stylesheet names, and nothing else: collectstatic's manifest checks that each one exists.
  const named = new Set([...css.matchAll(/url\("?\.\.\/([^")]+)"?\)/g)].map((match) => match[1]));
  for (const file of named) {
    const from = file.startsWith("fonts/")
      ? path.join(source, "fonts", "IBMPlexSans", "split", "woff2", path.basename(file))
      : file === "img/logo.svg"
        ? path.join(root, "assets", "logo.svg")
        : path.join(source, file);
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(from, path.join(target, file));
  }
  fs.copyFileSync(path.join(source, "LICENSE.md"), path.join(target, "LICENSE.md"));
}

await plotly();
dkfds();
