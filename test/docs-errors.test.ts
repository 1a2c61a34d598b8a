// docs/errors.md must list every error class the packages and examples export, with its real
// code and base class, and nothing else: the page is checked against the code, not trusted.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as reactorExports from '@torsion/reactor';
import * as testingExports from '@torsion/reactor/testing';
import * as protocolsExports from '@torsion/protocols';
import * as streamsExports from '@torsion/streams';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PROBE_CODE = 'ERR_PROBE_SENTINEL';

type ErrorClass = abstract new (...args: never[]) => Error;

interface FoundClass {
  name: string;
  /** `@torsion/reactor`, or `examples/<name>` for an example. */
  owner: string;
  base: string;
  /** The code an instance gets; PROBE_CODE for a base class that takes its code as argument. */
  code: string | undefined;
}

interface DocRow {
  name: string;
  code: string; // '—' when the class has none
  base: string;
  section: string;
  line: number;
}

function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error;
}

// Constructor arguments differ from class to class; a code-and-message pair (the base classes'
// signature) is harmless for the others, and most also accept no arguments at all.
function probeCode(cls: ErrorClass): string | undefined {
  for (const args of [[PROBE_CODE, 'probe message'], []]) {
    try {
      const err = Reflect.construct(cls, args) as Error & { code?: unknown };
      return typeof err.code === 'string' ? err.code : undefined;
    } catch {
      // try the next argument list
    }
  }
  throw new Error(`Cannot construct ${cls.name} to read its code: teach probeCode() its arguments.`);
}

function collect(owner: string, namespace: Record<string, unknown>, into: Map<ErrorClass, FoundClass>): void {
  for (const [name, value] of Object.entries(namespace)) {
    if (!isErrorClass(value) || into.has(value)) continue;
    const base = (Object.getPrototypeOf(value) as { name: string }).name;
    into.set(value, { name, owner, base, code: probeCode(value) });
  }
}

// The examples are programs, not packages: import the compiled modules whose source exports a
// class (main.ts files run the program, and export none).
async function collectExamples(into: Map<ErrorClass, FoundClass>): Promise<void> {
  const examples = path.join(root, 'examples');
  for (const example of readdirSync(examples).sort()) {
    const src = path.join(examples, example, 'src');
    if (!existsSync(src)) continue;
    for (const file of readdirSync(src).filter((f) => f.endsWith('.ts')).sort()) {
      if (!/^export class /m.test(readFileSync(path.join(src, file), 'utf8'))) continue;
      const compiled = path.join(examples, example, 'dist', 'src', file.replace(/\.ts$/, '.js'));
      expect(existsSync(compiled), `${compiled} is missing: build the examples first (npx tsc -b)`).to.equal(true);
      const namespace = (await import(compiled)) as Record<string, unknown>;
      collect(`examples/${example}`, namespace, into);
    }
  }
}

function cellText(cell: string): string {
  const m = /^`([^`]+)`$/.exec(cell.trim());
  return m === null ? cell.trim() : m[1]!;
}

function parseDoc(text: string): DocRow[] {
  const rows: DocRow[] = [];
  let section = '';
  text.split('\n').forEach((line, i) => {
    const heading = /^#{2,3} (.*)$/.exec(line);
    if (heading !== null) {
      section = heading[1]!.trim();
      return;
    }
    if (!line.startsWith('| `')) return;
    const cells = line.split('|').slice(1, -1);
    if (cells.length !== 5) throw new Error(`docs/errors.md:${i + 1}: a row needs 5 cells (class, code, base, when, what to do)`);
    rows.push({ name: cellText(cells[0]!), code: cellText(cells[1]!), base: cellText(cells[2]!), section, line: i + 1 });
  });
  return rows;
}

// `ERR_RPC_<CODE>` stands for a family of codes.
function codeMatches(docCode: string, code: string): boolean {
  if (!docCode.includes('<')) return docCode === code;
  const pattern = docCode.split(/<[A-Z_]+>/).map((part) => part.replace(/[^A-Z0-9_]/g, '')).join('[A-Z0-9_]+');
  return new RegExp(`^${pattern}$`).test(code);
}

describe('docs/errors.md', () => {
  let classes: FoundClass[];
  let rows: DocRow[];

  before(async () => {
    const found = new Map<ErrorClass, FoundClass>();
    collect('@torsion/reactor', reactorExports, found);
    collect('@torsion/reactor', testingExports, found);
    collect('@torsion/protocols', protocolsExports, found);
    collect('@torsion/streams', streamsExports, found);
    await collectExamples(found);
    classes = [...found.values()];
    rows = parseDoc(readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8'));
  });

  it('finds the error classes of every package and example', () => {
    const owners = new Set(classes.map((c) => c.owner));
    for (const owner of ['@torsion/reactor', '@torsion/protocols', '@torsion/streams', 'examples/int32-rpc']) {
      expect(owners, owner).to.include(owner);
    }
    expect(classes.filter((c) => c.code !== undefined && c.code !== PROBE_CODE).length).to.be.greaterThan(40);
  });

  it('lists every code an exported error class has', () => {
    const missing = classes
      .filter((c) => c.code !== undefined && c.code !== PROBE_CODE)
      .filter((c) => !rows.some((r) => r.name === c.name && codeMatches(r.code, c.code!)))
      .map((c) => `${c.name} (${c.code}, from ${c.owner})`);
    expect(missing, 'error classes missing from docs/errors.md').to.deep.equal([]);
  });

  it('lists no code that no class has', () => {
    const coded = classes.filter((c) => c.code !== undefined && c.code !== PROBE_CODE);
    const stray = rows
      .filter((r) => r.code !== '—')
      .filter((r) => !coded.some((c) => c.name === r.name && codeMatches(r.code, c.code!)))
      .map((r) => `docs/errors.md:${r.line} ${r.name} ${r.code}`);
    expect(stray, 'codes in docs/errors.md that no exported class has').to.deep.equal([]);
  });

  it('lists base classes and code-less errors without a code, and only real ones', () => {
    const codeless = classes.filter((c) => c.code === undefined || c.code === PROBE_CODE);
    for (const c of codeless) {
      expect(rows.some((r) => r.name === c.name && r.code === '—'), `${c.name} (${c.owner}) listed with code —`).to.equal(true);
    }
    for (const r of rows.filter((row) => row.code === '—')) {
      expect(codeless.map((c) => c.name), `docs/errors.md:${r.line}`).to.include(r.name);
    }
  });

  it('gives each class its real base class and the section of its package', () => {
    for (const r of rows) {
      const c = classes.find((k) => k.name === r.name);
      if (c === undefined) continue; // reported by the tests above
      expect(r.base, `docs/errors.md:${r.line} base of ${r.name}`).to.equal(c.base);
      if (r.code !== '—' || c.owner.startsWith('examples/')) {
        expect(r.section, `docs/errors.md:${r.line} ${r.name} belongs under ${c.owner}`).to.equal(c.owner);
      }
    }
  });

  it('lists each class once', () => {
    const names = rows.map((r) => r.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).to.deep.equal([]);
  });
});
