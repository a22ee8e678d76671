// Bundles the /admin dashboard (static/js/admin-src/, chart.js included) into static/js/admin.js.
//
//   node scripts/build-admin.mjs          write static/js/admin.js
//   node scripts/build-admin.mjs --check  exit 1 when the committed file differs from a fresh build
//
// The output is committed and served locally (no CDN under a strict CSP); a test runs --check so
// a source change without a rebuild fails the suite. Same inputs and esbuild version, same bytes.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'static/js/admin-src/index.js');
const outfile = path.join(root, 'static/js/admin.js');

const result = await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'eof',       // chart.js's MIT licence notice stays with its code
  charset: 'utf8',
  absWorkingDir: root,
  write: false,
  logLevel: 'warning',
});
const built = result.outputFiles[0].text;

if (process.argv.includes('--check')) {
  const committed = await readFile(outfile, 'utf8').catch(() => '');
  if (committed !== built) {
    console.error('static/js/admin.js is stale: run `npm run build:admin` and commit the result.');
    process.exit(1);
  }
  console.log('static/js/admin.js is up to date.');
} else {
  await writeFile(outfile, built);
  console.log(`static/js/admin.js: ${built.length} bytes`);
}
