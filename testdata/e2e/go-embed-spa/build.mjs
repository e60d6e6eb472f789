// Bundles web/src into web/dist/assets with content-hashed names and writes
// web/dist/index.html pointing at them. The Go binary embeds web/dist.
import * as esbuild from 'esbuild';
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';

const outdir = 'web/dist/assets';
await rm('web/dist', { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await esbuild.build({
  entryPoints: ['web/src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  entryNames: '[name]-[hash]',
  outdir,
  metafile: true,
  logLevel: 'info',
});

const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
const html = (await readFile('web/index.html', 'utf8')).replace('%JS%', js).replace('%CSS%', css);
await writeFile('web/dist/index.html', html);
console.log(`index.html -> ${js}, ${css}`);
