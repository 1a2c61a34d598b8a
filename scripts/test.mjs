// Runs every compiled test file of the workspace in one mocha run and prints one summary line.
// Usage: node scripts/test.mjs [file-or-directory ...]   (defaults to every suite)
// A filter can also be given with --grep <text>, passed to mocha.
import Mocha from 'mocha';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let grep;
const gi = args.indexOf('--grep');
if (gi >= 0) { grep = args[gi + 1]; args.splice(gi, 2); }

function listDirs(parent, sub) {
  const abs = path.join(root, parent);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs).map((d) => path.join(abs, d, sub)).filter((d) => fs.existsSync(d));
}
function testFiles(target) {
  if (fs.statSync(target).isFile()) return [target];
  return fs.readdirSync(target, { recursive: true })
    .map(String).filter((f) => f.endsWith('.test.js')).map((f) => path.join(target, f));
}
const targets = args.length > 0 ? args.map((a) => path.resolve(a)) : [
  ...listDirs('packages', 'dist-test'),
  ...listDirs('examples', 'dist/test'),
  ...['test/dist', 'bench/dist/test'].map((d) => path.join(root, d)).filter((d) => fs.existsSync(d)),
];
const files = [...new Set(targets.flatMap(testFiles))].sort();
if (files.length === 0) {
  console.error('No compiled test files found: run "npm run build" first.');
  process.exit(1);
}
const mocha = new Mocha({ timeout: 10000, slow: 500, reporter: 'spec', grep });
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats ?? { passes: 0, failures, pending: 0 };
  console.log(`\ntests: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
  // Tests must close what they open; report a leak instead of letting CI hang on it.
  const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
  if (open.length > 0) console.log(`note: resources still open after the run: ${open.join(', ')}`);
  process.exit(failures > 0 || s.passes === 0 ? 1 : 0);
});
