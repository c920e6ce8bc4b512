/** The process signals the agent reacts to, behind an interface so tests can send them without a process. */
export type AgentSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

export interface Signals {
  /** Calls `handler` on every delivery of `signal`; returns the unsubscribe function. */
  on(signal: AgentSignal, handler: () => void): () => void;
}

/** The real process's signals. */
export const processSignals: Signals = {
  on(signal, handler) {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
};
