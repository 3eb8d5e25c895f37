import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, promises as fs } from 'node:fs';

/**
 * Reading files that a repository or a command line names. A FIFO, a socket or a device named like a
 * source or config file must not hang the CLI or the server (reading a FIFO blocks until a writer
 * comes): the file is opened without blocking and refused unless it is a regular file, and the check is
 * made on the opened descriptor, so nothing can be swapped in between.
 */

const NONBLOCK = constants.O_NONBLOCK ?? 0;

export class NotRegularFileError extends Error {
  /** Shown as the reason after "cannot read: "; a directory gets the words the errno EISDIR gets. */
  readonly code: 'EISDIR' | 'not a regular file';
  constructor(
    readonly path: string,
    isDirectory = false,
  ) {
    super(isDirectory ? 'is a directory, not a file' : 'not a regular file');
    this.code = isDirectory ? 'EISDIR' : 'not a regular file';
  }
}

/** The bytes of a regular file; throws NotRegularFileError for anything else, or the fs error. */
export function readRegularFileSync(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(file, stat.isDirectory());
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `readRegularFileSync` that returns the size instead of reading a file larger than `maxBytes`. For the CLI:
 * its thread has nothing else to do meanwhile, and the promise version's four round trips through the
 * thread pool cost the 285 examples more time than the reads themselves.
 */
export function readRegularFileUpTo(file: string, maxBytes: number): Buffer | { tooLarge: number } {
  const fd = openSync(file, constants.O_RDONLY | NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(file, stat.isDirectory());
    if (stat.size > maxBytes) return { tooLarge: stat.size };
    // The size is known: one read (readFileSync(fd) would ask fstat again). A size of 0 may hide content
    // (files of /proc): read those to their end.
    return stat.size > 0 ? readSize(fd, stat.size) : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Up to `size` bytes from `fd`'s position, as readFileSync reads a regular file (fewer if it shrank meanwhile). */
function readSize(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, buffer, at, size - at, null);
    if (n === 0) break;
    at += n;
  }
  return at < size ? buffer.subarray(0, at) : buffer;
}

/** Async `readRegularFileSync`; with `maxBytes`, returns the size instead of reading a larger file. */
export async function readRegularFile(file: string, maxBytes = Infinity): Promise<Buffer | { tooLarge: number }> {
  const handle = await fs.open(file, constants.O_RDONLY | NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new NotRegularFileError(file, stat.isDirectory());
    if (stat.size > maxBytes) return { tooLarge: stat.size };
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export interface DecodedSource {
  /** The text, without a BOM. */
  text: string;
  /** '\ufeff' when the file started with a UTF-8 BOM (put back on write), else ''. */
  bom: string;
  /** 'utf-8', or the PEP 263 encoding a Python file declares (normalised: 'latin-1', 'cp1252', ...). */
  encoding: string;
}

/** PEP 263: `# -*- coding: latin-1 -*-` / `# vim: set fileencoding=latin-1 :` on line 1 or 2. */
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const UTF8_NAMES = /^(utf[-_]?8|utf[-_]?8[-_]sig|u8|utf)$/i;
const LATIN1_NAMES =
  /^(latin[-_]?1|iso[-_]?8859[-_]?1|iso[-_]?8859[-_]?1[-_]1987|8859|cp819|l1|iso[-_]ir[-_]100|ibm819)$/i;

/** The encoding a Python source declares in its first two lines (PEP 263), if any. */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  // The declaration itself is ASCII: read the head as Latin-1 so any bytes around it survive.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024))
    .toString('latin1')
    .replace(/^\u00ef\u00bb\u00bf/, '');
  const lines = head.split(/\r\n|\n|\r/, 2);
  for (const [i, line] of lines.entries()) {
    const m = CODING.exec(line);
    if (m) return m[1].toLowerCase();
    // Only when line 1 is a comment or blank may line 2 carry the declaration.
    if (i === 0 && !/^[ \t\f]*(#.*)?$/.test(line)) return undefined;
  }
  return undefined;
}

export class DecodeError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // ignoreBOM: keep the BOM in the text, so that it can be seen and put back

/**
 * Source bytes to text as Python reads them: UTF-8, unless a Python file declares another encoding
 * (PEP 263, e.g. `# -*- coding: latin-1 -*-`). A UTF-8 BOM is split off.
 */
export function decodeSource(bytes: Uint8Array, kind: string): DecodedSource {
  const declared = kind === 'python' ? declaredEncoding(bytes) : undefined;
  let text: string;
  let encoding = 'utf-8';
  if (declared && !UTF8_NAMES.test(declared)) {
    if (LATIN1_NAMES.test(declared)) {
      // Exactly ISO-8859-1 as Python has it (WHATWG's "latin1" label would be windows-1252).
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      encoding = 'latin-1';
    } else {
      let decoder: TextDecoder;
      try {
        decoder = new TextDecoder(declared, { fatal: true });
      } catch {
        throw new DecodeError(`cannot decode: unknown encoding "${declared}" (PEP 263 declaration)`);
      }
      try {
        text = decoder.decode(bytes);
      } catch {
        throw new DecodeError(`cannot decode: not valid ${declared}`);
      }
      encoding = declared;
    }
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new DecodeError('cannot decode: not valid UTF-8');
    }
  }
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  return { text: bom ? text.slice(1) : text, bom, encoding };
}

/** Text back to bytes in the file's encoding; undefined when pipelint cannot write that encoding. */
export function encodeSource(source: Pick<DecodedSource, 'bom' | 'encoding'>, text: string): Buffer | undefined {
  if (source.encoding === 'utf-8') return Buffer.from(source.bom + text, 'utf8');
  if (source.encoding === 'latin-1' && !/[\u0100-\uffff]/.test(text)) return Buffer.from(source.bom + text, 'latin1');
  return undefined;
}

/** An I/O error in words (`permission denied`), not an errno code (`EACCES`). */
export function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links (a link that points to itself?)';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    case 'EIO':
      return 'input/output error from the device';
    case 'EBUSY':
      return 'the file is busy';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
