// Builds the widget from static/js/src and static/css into three committed files:
//
//   static/js/consent.js          the two-request tag, one static file with everything: the
//                                 first layer, which fetches the visitor's configuration (and
//                                 has a built-in one to fail closed), and the preference dialog
//   static/js/consent-embed.js    the one-request tag's first layer: the service's /widget.js
//                                 answers it with the visitor's configuration written in place
//                                 of the one identifier __CONFIG__
//   static/js/consent-dialog.js   the one-request tag's lazily loaded part: the preference
//                                 dialog (src/dialog/), its record actions and its styles
//
// The two first layers are one source built twice (__EMBEDDED__ false and true). The
// lazy part is a separate classic script that borrows the first layer's functions and
// state at run time: in its build, src/dialog/lent.js (the first layer's modules) is
// replaced by src/dialog/borrowed.js (the same names, handed over), and all three builds
// share one table of mangled property names (esbuild's mangleCache). The one-request first
// layer carries the lazy part's URL, versioned by its content hash, and the id the lazy
// part registers with (a hash of its build), so that it never runs a lazy part built for
// another first layer.
//
// CSS is minified and inlined (it is adopted into the widget's Shadow DOM), and the
// built-in English fallback is taken from data/ at build time, so data/locales/en.json
// stays the one source of truth for texts. The output is deterministic;
// tests/test_widget_bundle.py rebuilds into a temporary directory and fails when a
// committed file differs.
//
// Usage: node scripts/build-widget.mjs [outdir]   (default: static/js)
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(process.argv[2] || join(root, "static/js"));
const json = (path) => JSON.parse(readFileSync(join(root, path), "utf8"));
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const BANNER = "/* SeleneGleam consent widget. Built from static/js/src by `npm run build:widget`; do not edit. */";
export const LAZY_FILE = "consent-dialog.js";

// Every category's id, whether it is required, and its Consent Mode types: the
// synchronous defaults and the cookie's order of choices, in both tags.
function categories() {
  return json("data/categories.json").categories.map((c) => ({
    id: c.id,
    required: c.required,
    consent_mode: c.consent_mode,
  }));
}

// What the two-request tag's fail-closed banner and its dialog frame need when the
// service cannot be reached: the strictest region's model and lifetime, the
// categories' English titles (in catalogue order) and the texts those two screens
// show. Cookie patterns, descriptions and services stay out (for size): a
// returning visitor's cached configuration has them, and a first visitor has no
// cookies to clear. So do the texts of the dialog's details and of "Download/Delete
// my consent record": without the service those cannot work.
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
    titles: catalog.categories.map((c) => en.categories[c.id].title),
    texts,
  };
}

const css = async (path) => (await esbuild.transform(readFileSync(join(root, path), "utf8"),
  { loader: "css", minify: true, target: ["chrome111", "firefox113", "safari16.4"] })).code.trim();

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  legalComments: "none",
  write: false,
  // Internal names start with "_" and are renamed: the public API and the JSON
  // the service speaks never do.
  mangleProps: /^_/,
  logLevel: "warning",
};

const firstLayerCss = await css("static/css/widget.css");
const dialogCss = await css("static/css/widget-dialog.css");

// In the lazy part, the dialog's view of the first layer is borrowed at run time.
const borrow = {
  name: "borrow",
  setup(build) {
    build.onResolve({ filter: /^\.\/lent\.js$/ }, (args) => ({ path: join(args.resolveDir, "borrowed.js") }));
  },
};

async function firstLayer(embedded, later, mangleCache) {
  const result = await esbuild.build({
    ...common,
    entryPoints: [join(root, "static/js/src/index.js")],
    outfile: join(outdir, embedded ? "consent-embed.js" : "consent.js"),
    // The template is never a file anyone reads: its bytes go to every first visitor.
    banner: { js: embedded ? "" : BANNER },
    mangleCache,
    define: {
      __EMBEDDED__: String(embedded),
      __CSS__: JSON.stringify(firstLayerCss),
      __DIALOG_CSS__: JSON.stringify(dialogCss),
      __CATEGORIES__: JSON.stringify(categories()),
      __FALLBACK__: JSON.stringify(fallbackConfig()),
      __LATER_PATH__: JSON.stringify(`/static/js/${LAZY_FILE}?v=${later.version}`),
      __LATER_ID__: JSON.stringify(later.id),
    },
  });
  return { text: result.outputFiles[0].text, mangleCache: result.mangleCache };
}

async function lazyPart(id, mangleCache) {
  const result = await esbuild.build({
    ...common,
    entryPoints: [join(root, "static/js/src/dialog/lazy.js")],
    outfile: join(outdir, LAZY_FILE),
    banner: { js: BANNER },
    plugins: [borrow],
    mangleCache,
    define: { __DIALOG_CSS__: JSON.stringify(dialogCss), __LATER_ID__: JSON.stringify(id) },
  });
  return { text: result.outputFiles[0].text, mangleCache: result.mangleCache };
}

// 1. The first layers fix the mangled names (the lazy part's id and URL do not change them).
const unknown = { version: "", id: "" };
const first = await firstLayer(false, unknown, {});
const names = (await firstLayer(true, unknown, first.mangleCache)).mangleCache;
// 2. The lazy part with those names; its id is the hash of its build without an id.
const id = sha256((await lazyPart("", names)).text).slice(0, 12);
const lazy = await lazyPart(id, names);
// 3. The first layers again, now pointing at it (the version is its content hash, the
//    `?v=` that static file caching recognises as immutable: consent/assets.py).
const later = { version: sha256(lazy.text).slice(0, 12), id };
const outputs = {
  "consent.js": (await firstLayer(false, later, names)).text,
  "consent-embed.js": (await firstLayer(true, later, names)).text,
  [LAZY_FILE]: lazy.text,
};
const template = outputs["consent-embed.js"];
if (template.split("__CONFIG__").length !== 2) {
  throw new Error("consent-embed.js must name __CONFIG__ exactly once: the service writes the configuration there");
}
mkdirSync(outdir, { recursive: true });
for (const [file, text] of Object.entries(outputs)) writeFileSync(join(outdir, file), text);
