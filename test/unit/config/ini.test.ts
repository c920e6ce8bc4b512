import { describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/config/ini.js';

describe('INI reader', () => {
  it('keeps the line of every section and entry', () => {
    const doc = parseIni('# comment\n[cluster]\nname = proxy\n\n[nodes]\nnode001 = "a:1"\n');
    expect(doc.problems).toEqual([]);
    expect(doc.sections).toEqual([
      { name: 'cluster', line: 2 },
      { name: 'nodes', line: 5 },
    ]);
    expect(doc.entries).toEqual([
      { section: 'cluster', key: 'name', value: 'proxy', line: 3 },
      { section: 'nodes', key: 'node001', value: 'a:1', line: 6 },
    ]);
  });

  it('strips comments after whitespace but keeps # and ; inside quotes', () => {
    const doc = parseIni('[a]\nx = 1  # one\ny = 2 ; two\nz = "p # q ; r"  # c\nw = a#b\n');
    expect(doc.entries.map((e) => e.value)).toEqual(['1', '2', 'p # q ; r', 'a#b']);
  });

  it('unquotes double quotes with escapes and single quotes verbatim', () => {
    const doc = parseIni('[a]\nx = "say \\"hi\\" \\\\ bye"\ny = \'c:\\\\dir\'\nz = ""\n');
    expect(doc.entries.map((e) => e.value)).toEqual(['say "hi" \\ bye', 'c:\\\\dir', '']);
  });

  it('accepts CRLF line ends, a byte-order mark and indentation', () => {
    const doc = parseIni('\uFEFF[a]\r\n  x = 1\r\n\t[b]\r\ny=2');
    expect(doc.problems).toEqual([]);
    expect(doc.entries.map((e) => [e.section, e.key, e.value, e.line])).toEqual([
      ['a', 'x', '1', 2],
      ['b', 'y', '2', 4],
    ]);
  });

  it('reports every malformed line with its number and carries on', () => {
    const doc = parseIni('[a\nkey only\n[ok]\nx = "open\ny = "a" junk\n = 3\n[]\nz = fine\n');
    expect(doc.problems).toEqual([
      { line: 1, message: 'malformed section header "[a": expected [name]' },
      { line: 2, message: 'expected "key = value" or "[section]", got "key only"' },
      { line: 4, message: 'x: unterminated double quote' },
      { line: 5, message: 'y: unexpected "junk" after the closing quote' },
      { line: 6, message: 'malformed key "": use letters, digits, _ . -' },
      { line: 7, message: 'malformed section header "[]": expected [name]' },
    ]);
    expect(doc.entries).toEqual([{ section: null, key: 'z', value: 'fine', line: 8 }]);
  });

  it('records keys above the first section with a null section', () => {
    expect(parseIni('x = 1\n').entries).toEqual([{ section: null, key: 'x', value: '1', line: 1 }]);
  });
});
