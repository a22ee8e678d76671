// Builds the widget: static/js/src/*.js + static/css/widget.css -> static/js/consent.js.
//
// One file for the browser to download: the CSS is minified and inlined (it is
// adopted into the widget's Shadow DOM), and the built-in English fallback is
// taken from data/ at build time, so data/locales/en.json stays the one source
// of truth for texts. The output is deterministic; tests/test_widget_bundle.py
// rebuilds into a temporary file and fails when the committed bundle differs.
//
// Usage: node scripts/build-widget.mjs [outfile]   (default: static/js/consent.js)
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = resolve(process.argv[2] || join(root, "static/js/consent.js"));
const json = (path) => JSON.parse(readFileSync(join(root, path), "utf8"));

// What the fail-closed banner and its dialog need when the service cannot be
// reached: the strictest region's model and lifetime, each category's Consent
// Mode types and title, and the English texts those two screens show. Cookie
// patterns, descriptions and services stay out (empty lists, for size): a
// returning visitor's cached configuration has them, and a first visitor has no
// cookies to clear. So do the texts of "Download/Delete my consent record":
// without the service those cannot work, and the dialog leaves them out.
function fallbackConfig() {
  const regions = json("data/regions.json");
  const catalog = json("data/categories.json");
  const en = json("data/locales/en.json");
  const strictest = regions.regions.find((r) => r.code === regions.unknown);
  const texts = { ...en.banner[strictest.model] };
  for (const key of ["accept_all", "reject_all", "customize", "save", "close", "load_content"]) {
    texts[key] = en.buttons[key];
  }
  for (const key of ["title", "always_on", "placeholder", "saved"]) {
    texts[`dialog_${key}`] = en.dialog[key];
  }
  return {
    model: strictest.model,
    lang: "en",
    lifetime_days: strictest.lifetime_days,
    categories: catalog.categories.map((c) => ({
      id: c.id,
      required: c.required,
      default: c.required,
      consent_mode: c.consent_mode,
      title: en.categories[c.id].title,
      cookies: [],
      services: [],
    })),
    texts,
    gpc: { signal: false, categories: [] },
  };
}

const css = await esbuild.transform(readFileSync(join(root, "static/css/widget.css"), "utf8"),
  { loader: "css", minify: true, target: ["chrome111", "firefox113", "safari16.4"] });

await esbuild.build({
  entryPoints: [join(root, "static/js/src/index.js")],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  legalComments: "none",
  // Internal names start with "_" and are renamed: the public API and the JSON
  // the service speaks never do.
  mangleProps: /^_/,
  define: {
    __CSS__: JSON.stringify(css.code.trim()),
    __FALLBACK__: JSON.stringify(fallbackConfig()),
  },
  banner: { js: "/* SeleneGleam consent widget. Built from static/js/src by `npm run build:widget`; do not edit. */" },
  logLevel: "warning",
});
