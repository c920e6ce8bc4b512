import { describe, expect, it } from 'vitest';
import { withoutHarmlessWarnings } from '../../../scripts/postject-output.mjs';

describe("make binary's postject output", () => {
  it("leaves out postject's harmless warnings about ELF section names, and keeps every other line", () => {
    const stderr = [
      "warning: Can't find string offset for section name '.note.100'",
      "warning: Can't find string offset for section name '.note'",
      'Error: something real',
      "warning: Can't find string offset for section name '.note.100'",
    ].join('\n');
    expect(withoutHarmlessWarnings(stderr)).toBe('Error: something real');
    expect(withoutHarmlessWarnings("warning: Can't find string offset for section name '.note.100'\n")).toBe('');
  });
});
