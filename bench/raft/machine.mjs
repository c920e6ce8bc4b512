// Promises: a description of where the run happened, for the report: node
// version, CPU model and count, memory, kernel, load average, and the
// filesystem type of the directory the members keep their data in.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export function machineNotes(dataRoot) {
  const fs = spawnSync('findmnt', ['-no', 'FSTYPE', '-T', dataRoot], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  const cpu = cpus();
  return {
    node: process.version,
    cpu: `${cpu.length} x ${cpu[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    loadAverageAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
    dataDir: `${dataRoot} (${fs})`,
  };
}
