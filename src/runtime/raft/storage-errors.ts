/**
 * What a failed file-system call of the Raft storage says about the disk.
 * Resource exhaustion passes by itself (file descriptors, memory) or once an
 * operator frees space; anything else (EIO, EROFS, an errno not listed here)
 * may mean the medium itself failed, and after a failed fsync the page
 * cache's state is unknown: the store stays failed until restart.
 */

/** `exhausted`: the process or host ran out of descriptors or memory; `full`: no space or quota left; `media`: anything else. */
export type StorageErrorKind = 'exhausted' | 'full' | 'media';

const KINDS: Readonly<Record<string, StorageErrorKind>> = {
  EMFILE: 'exhausted',
  ENFILE: 'exhausted',
  ENOMEM: 'exhausted',
  ENOSPC: 'full',
  EDQUOT: 'full',
};

/** The errno code of `error` (`error` when it has none). */
export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.length > 0 ? code : 'error';
}

/** Classifies a storage error by its errno code; an unknown code is `media`, so that doubt never retries. */
export function storageErrorKind(error: unknown): StorageErrorKind {
  return KINDS[errorCode(error)] ?? 'media';
}
