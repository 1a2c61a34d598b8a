import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('public API documentation', () => {
  it('gives every exported class and function a doc comment with an @example', function () {
    this.timeout(60000);
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/check-tsdoc.mjs'), '--strict'], { cwd: root, encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).to.equal(0);
  });
});
