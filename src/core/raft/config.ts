/** Checks of a RaftConfig, all at once, each naming the setting and its value. */
import type { RaftConfig } from './types.js';

/** Every problem with `config`; empty when it is usable. */
export function raftConfigProblems(config: RaftConfig): string[] {
  const problems: string[] = [];
  const positiveInteger = (name: keyof RaftConfig, value: number): void => {
    if (!Number.isInteger(value) || value < 1) problems.push(`raft.${name} (${value}) must be a positive integer`);
  };
  if (config.id === '') problems.push('raft.id must not be empty');
  positiveInteger('electionTicks', config.electionTicks);
  positiveInteger('heartbeatTicks', config.heartbeatTicks);
  positiveInteger('maxEntriesPerAppend', config.maxEntriesPerAppend);
  positiveInteger('maxBytesPerAppend', config.maxBytesPerAppend);
  positiveInteger('maxInflightAppends', config.maxInflightAppends);
  positiveInteger('snapshotChunkBytes', config.snapshotChunkBytes);
  for (const name of ['catchUpEntries', 'catchUpBytes'] as const) {
    if (!Number.isInteger(config[name]) || config[name] < 0) problems.push(`raft.${name} (${config[name]}) must be a whole number`);
  }
  if (config.heartbeatTicks >= config.electionTicks) {
    problems.push(`raft.electionTicks (${config.electionTicks}) must exceed raft.heartbeatTicks (${config.heartbeatTicks})`);
  }
  if (config.leaseReads && !config.checkQuorum) problems.push('raft.leaseReads needs raft.checkQuorum');
  return problems;
}
