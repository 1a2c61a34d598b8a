// The guides link to each other, to examples and to headings: a renamed page or heading must
// fail here, not leave a dead link. docs/README.md must index every page.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = path.join(root, 'docs');

/** Markdown outside fenced code blocks. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** Heading anchors as GitHub makes them (lower case, punctuation dropped, spaces to hyphens). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function links(file: string): string[] {
  return [...prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

// Files written by tools rather than by hand: docs/performance.svg comes from
// `npm run bench -- --update-docs`, run on a quiet machine.
const GENERATED = new Set(['docs/performance.svg']);

const pages = readdirSync(docs).filter((f) => f.endsWith('.md')).sort();

describe('docs links', () => {
  it('docs/README.md links every page of docs/', () => {
    const indexed = new Set(links(path.join(docs, 'README.md')).map((l) => l.split('#')[0]));
    expect(pages.filter((p) => p !== 'README.md' && !indexed.has(p))).to.deep.equal([]);
  });

  it('every relative link and heading anchor in docs/ and README.md resolves', () => {
    const broken: string[] = [];
    for (const file of [...pages.map((p) => path.join(docs, p)), path.join(root, 'README.md')]) {
      for (const link of links(file)) {
        if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
        const [target, anchor] = link.split('#') as [string, string | undefined];
        const resolved = target === '' ? file : path.resolve(path.dirname(file), target);
        if (GENERATED.has(path.relative(root, resolved))) continue;
        if (!existsSync(resolved)) {
          broken.push(`${path.relative(root, file)}: ${link} (no such file)`);
        } else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
          broken.push(`${path.relative(root, file)}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).to.deep.equal([]);
  });
});
