// What of postject's output `make binary` shows. postject (through LIEF)
// warns "Can't find string offset for section name '.note...'" for the ELF
// notes of a stripped Node binary; the binary it writes is sound (the binary
// test runs it), so those lines are left out rather than shown as if
// something failed. Every other line is kept.

const HARMLESS = /^warning: Can't find string offset for section name '[^']*'$/;

/** `text` without postject's harmless section-name warnings. */
export function withoutHarmlessWarnings(text) {
  return text
    .split('\n')
    .filter((line) => !HARMLESS.test(line.trim()))
    .join('\n');
}
