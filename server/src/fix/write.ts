import type * as Crypto from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * The one way pipelint writes a file (`check --fix`, `diagram -o`, notebook fixes). What it guarantees:
 *
 * - **No planted files.** The temporary file gets an unpredictable name in the target's own directory and
 *   is opened with `O_CREAT | O_EXCL | O_NOFOLLOW`: a symlink or file already there makes the open fail
 *   instead of being written through (a fixed `<file>.<pid>.tmp` name let a planted symlink redirect the
 *   write to any file the user can write).
 * - **Atomic.** Data is fsynced, then renamed over the target (and the directory fsynced): a crash leaves
 *   the old file or the new one, never half of each.
 * - **Symlinks are written through.** A symlinked file is resolved to its target, which gets the new
 *   content; the link stays a link.
 * - **Metadata kept.** Mode bits including setuid/setgid/sticky and, where the process may (root, or the
 *   same owner changing group), owner and group are copied to the new file.
 * - **Hard links stay linked.** A file with more than one link is rewritten in place through its own inode
 *   (opened `O_NOFOLLOW`, truncated after the write, fsynced), like Ruff and Black do: every name sees the
 *   fix. That write is not atomic; a rename would instead split the links and leave the others unfixed.
 * - **Lost update check.** With `expected`, the write happens only if the file still holds those bytes
 *   (checked again just before the rename).
 *
 * Bytes are written as given: a caller that read a BOM or CRLF line ends puts them back itself (the
 * fixes keep the file's line ends; `check` re-adds the BOM it stripped).
 */
export interface AtomicWriteOptions {
  /** The bytes the caller read; the write is refused if the file holds anything else by then. */
  expected?: Uint8Array;
  /** Mode of a new file (before the umask); default 0o666, like `fs.writeFile`. */
  newFileMode?: number;
}

export class FileChangedError extends Error {
  constructor() {
    super('file changed on disk while it was being fixed; left alone');
  }
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Where a write to `file` must land: the file itself, or the final target of its symlinks. */
async function resolveTarget(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // No such file (yet): a new file in a directory that exists. A dangling symlink is not followed.
  const link = await fs.lstat(file).catch(() => undefined);
  if (link?.isSymbolicLink()) throw new Error(`${file} is a symbolic link to a missing file; left alone`);
  return path.join(await fs.realpath(path.dirname(file)), path.basename(file));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Writes `data` to `file` (see the guarantees above). */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const target = await resolveTarget(file);
  const stat = await fs.stat(target).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && options.expected === undefined) return undefined;
    throw err;
  });
  if (stat && !stat.isFile()) throw new Error(`${file} is not a regular file; left alone`);
  const unchanged = async () => {
    if (options.expected && !sameBytes(await fs.readFile(target), options.expected)) throw new FileChangedError();
  };
  await unchanged();
  if (stat && stat.nlink > 1) return writeInPlace(target, bytes, options.expected);

  const dir = path.dirname(target);
  // node:crypto only when a file is written: loading it cost every `pipelint check` 13M instructions (5-50 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first write
  const { randomBytes } = require('node:crypto') as typeof Crypto;
  const tmp = path.join(dir, `.${path.basename(target)}.pipelint-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  let renamed = false;
  try {
    try {
      await handle.writeFile(bytes);
      if (stat) {
        // Owner first: chown clears setuid/setgid, the chmod after it restores them.
        if (process.getuid && (stat.uid !== process.getuid() || stat.gid !== process.getgid!())) {
          await handle.chown(stat.uid, stat.gid).catch(() => handle.chown(-1, stat.gid).catch(() => undefined));
        }
        await handle.chmod(stat.mode & 0o7777);
      } else {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- reading it is the only way to honour it
        const umask = process.umask();
        await handle.chmod((options.newFileMode ?? 0o666) & ~umask);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Last look before the rename: a write that landed meanwhile wins over ours.
    await unchanged();
    await fs.rename(tmp, target);
    renamed = true;
    await syncDirectory(dir);
  } finally {
    if (!renamed) await fs.rm(tmp, { force: true });
  }
}

/** Rewrites a hard-linked file through its inode, so that all its names see the new content. */
async function writeInPlace(target: string, bytes: Uint8Array, expected: Uint8Array | undefined): Promise<void> {
  const handle = await fs.open(target, constants.O_RDWR | NOFOLLOW);
  try {
    if (expected && !sameBytes(await handle.readFile(), expected)) throw new FileChangedError();
    await handle.write(bytes, 0, bytes.byteLength, 0);
    await handle.truncate(bytes.byteLength);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename durable; some file systems (and Windows) cannot open a directory: best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Not fatal: the data itself is synced.
  } finally {
    await handle?.close();
  }
}
