import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { corePurity } from '../../eslint.config.js';

const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, corePurity],
});

async function messages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.line}: ${m.message.slice(m.message.indexOf('src/core is pure'))}`);
}

describe('the core is pure (DESIGN.md), and lint says so', () => {
  it('forbids I/O modules, timers, the clock and Math.random under src/core', async () => {
    const code = [
      "import { readFile } from 'node:fs';",
      "import dgram from 'dgram';",
      'const a = Date.now();',
      'const b = Math.random();',
      'setTimeout(() => {}, 1);',
      'const c = new Date();',
      'const d = performance.now();',
      'process.exit(1);',
    ].join('\n');
    expect(await messages(code, 'src/core/membership/example.ts')).toEqual([
      '1: src/core is pure: no node: modules; take effects from the runtime.',
      '2: src/core is pure: no I/O modules; take effects from the runtime.',
      '3: src/core is pure: time comes in as an argument.',
      '4: src/core is pure: use the injected seeded Rng.',
      '5: src/core is pure: no timers; the runtime calls tick(now).',
      '6: src/core is pure: time comes in as an argument.',
      '7: src/core is pure: time comes in as an argument.',
      '8: src/core is pure: no process access.',
    ]);
  });

  it('allows pure code under src/core and the same calls outside it', async () => {
    expect(await messages('export const f = (now: number) => new Date(now).getTime() + Math.max(1, 2);', 'src/core/ok.ts')).toEqual([]);
    expect(await messages('export const t = Date.now() + Math.random();', 'src/runtime/clock.ts')).toEqual([]);
  });
});
