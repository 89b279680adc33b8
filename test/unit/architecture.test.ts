// The house rules (shared/DESIGN.md), read from the code's own imports with TypeScript's
// pre-processor: no import cycles; the layers point one way (api is a leaf; model imports none of
// formats, analysis or the engine; formats and analysis import neither each other nor the engine,
// UI or CLI); the UI reaches workers/ only through workers/api and the worker entry; no product
// file longer than one sitting's read.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const PRODUCT = ['workers', 'src', 'cli'];
const MAX_LINES = 650;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) walk(path, out);
    else if (/\.(ts|js|svelte)$/.test(name) && !/\.test\./.test(name)) out.push(path);
  }
  return out;
}

const files = PRODUCT.flatMap((d) => walk(d));
const known = new Set(files);

/** The script of a file: the whole of a .ts file, the <script> blocks of a component. */
function scriptOf(file: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  if (!file.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.') || /\.(css|json|png|svg)$/.test(spec)) return null; // packages, styles, assets
  const base = normalize(join(dirname(from), spec.replace(/\?.*$/, '')));
  for (const candidate of [base, `${base}.ts`, `${base}.svelte`, join(base, 'index.ts')]) if (known.has(candidate)) return candidate;
  throw new Error(`${from} imports ${spec}, which is no product file`);
}

/** Every product file each file imports (import, export … from, import(), new URL(…)). */
const imports = new Map<string, string[]>();
for (const file of files) {
  const source = scriptOf(file);
  const specs = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  // Workers are started by URL (`new URL('./x.ts', import.meta.url)`): an edge too.
  for (const m of source.matchAll(/new URL\(\s*['"](\.[^'"]+\.(?:ts|js|svelte))['"]\s*,\s*import\.meta\.url/g)) specs.push(m[1]);
  imports.set(file, [...new Set(specs.map((s) => resolve(file, s)).filter((x): x is string => x !== null && x !== file))]);
}

type Layer = 'api' | 'model' | 'formats' | 'analysis' | 'engine' | 'ui' | 'cli';
function layerOf(file: string): Layer {
  if (file.startsWith('src/')) return 'ui';
  if (file.startsWith('cli/')) return 'cli';
  const m = /^workers\/(api|model|formats|analysis)\//.exec(file);
  return m ? (m[1] as Layer) : 'engine';
}

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, Layer[]> = {
  api: [],
  model: ['api'],
  formats: ['api', 'model'],
  analysis: ['api', 'model'],
  engine: ['api', 'model', 'formats', 'analysis'],
  ui: ['api'], // and the worker entry, checked below
  cli: ['api', 'model', 'formats', 'analysis', 'engine'],
};
const WORKER_ENTRY = 'workers/engine.worker.ts';

describe('the house', () => {
  it('reads every product file', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const layer of ['api', 'model', 'formats', 'analysis', 'engine', 'ui', 'cli']) expect(files.some((f) => layerOf(f) === layer), layer).toBe(true);
    // The reading itself: a known edge is found, in a component and in a module.
    expect(imports.get('src/App.svelte')).toContain('src/views/registry.ts');
    expect(imports.get('src/lib/engine-client.ts')).toContain(WORKER_ENTRY);
  });

  it('has no import cycles', () => {
    // Tarjan's strongly connected components; any component of more than one file is a cycle.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      for (const w of imports.get(v)!) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component);
      }
    };
    for (const f of files) if (!index.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('points its layers one way', () => {
    const wrong: string[] = [];
    for (const [from, tos] of imports) {
      const a = layerOf(from);
      for (const to of tos) {
        const b = layerOf(to);
        if (a === b) continue;
        if (a === 'ui' && to === WORKER_ENTRY) continue;
        if (!ALLOWED[a].includes(b)) wrong.push(`${from} (${a}) → ${to} (${b})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps files short enough to read in one sitting', () => {
    const long = files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_LINES);
    expect(long.map(([f, n]) => `${relative(ROOT, join(ROOT, f))}: ${n} lines`)).toEqual([]);
  });
});
