// Lists the public classes and functions of the packages that lack a TSDoc comment or an
// `@example` in it. Public means exported from a package entry point: packages/*/src/index.ts
// and the reactor's testing subpath (packages/reactor/src/testing/index.ts).
//
// Usage: node scripts/check-tsdoc.mjs [--strict]
//   prints one line per gap and a total; with --strict, exits with status 1 when there is any.
// Uses the TypeScript compiler API (the typescript dev dependency); no build needed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

const entries = fs
  .readdirSync(path.join(root, 'packages'))
  .flatMap((pkg) => [path.join(root, 'packages', pkg, 'src', 'index.ts'), path.join(root, 'packages', pkg, 'src', 'testing', 'index.ts')])
  .filter((f) => fs.existsSync(f));

const program = ts.createProgram(entries, {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
});
const checker = program.getTypeChecker();

/** The declaration that carries the doc of an exported class or function, or null for types. */
function documentedDeclaration(symbol) {
  for (const decl of symbol.declarations ?? []) {
    if (ts.isClassDeclaration(decl)) return { decl, kind: 'class' };
    if (ts.isFunctionDeclaration(decl)) {
      // Overloads: the doc sits on the first signature.
      return { decl: symbol.declarations.find(ts.isFunctionDeclaration) ?? decl, kind: 'function' };
    }
    if (ts.isVariableDeclaration(decl) && decl.initializer !== undefined) {
      const init = decl.initializer;
      const kind = ts.isClassExpression(init) ? 'class' : ts.isArrowFunction(init) || ts.isFunctionExpression(init) ? 'function' : null;
      // Docs on `export const x = ...` sit on the variable statement.
      if (kind !== null) return { decl: decl.parent.parent, kind };
    }
  }
  return null;
}

function docOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter((d) => ts.isJSDoc(d));
  const hasExample = docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === 'example'));
  return { hasDoc: docs.length > 0, hasExample };
}

const seen = new Set();
const gaps = [];
let checked = 0;
for (const entry of entries) {
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) continue;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    const found = documentedDeclaration(symbol);
    if (found === null) continue;
    checked += 1;
    const { hasDoc, hasExample } = docOf(found.decl);
    if (hasDoc && hasExample) continue;
    const file = found.decl.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(found.decl.getStart(file));
    gaps.push({
      where: `${path.relative(root, file.fileName)}:${line + 1}`,
      what: `${found.kind} ${exported.name}`,
      missing: hasDoc ? 'no @example' : 'no doc comment',
    });
  }
}

gaps.sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true }));
for (const g of gaps) console.log(`${g.where}  ${g.what}: ${g.missing}`);
console.log(`${gaps.length} of ${checked} public classes and functions lack a doc comment or an @example.`);
if (strict && gaps.length > 0) process.exit(1);
