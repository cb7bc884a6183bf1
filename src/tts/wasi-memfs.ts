/**
 * A minimal WASI preview1 host, in JavaScript, over an in-memory file system:
 * just the thirteen calls flite.wasm imports (arguments, clock, stdio, one
 * preopened directory, files that live in a Map).
 *
 * Why not `node:wasi`: on Node 20–22 its imports are V8 fast API calls, and a
 * garbage collection triggered inside one (uvwasi reports its allocations to
 * V8) crashes the process. With flite, whose instances are 20–45 MB each, that
 * happens within a few syntheses (nodejs/node#46777, #52402; reproduced here on
 * v20.20: a segfault in the 2nd–10th synthesis when voices alternate). Plain JS
 * imports cannot hit it, need no temporary directory, and print no
 * ExperimentalWarning.
 */

/** WASI errno values used here. */
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const ERRNO_ISDIR = 31;
const ERRNO_NOENT = 44;
const ERRNO_NOTDIR = 54;

const FILETYPE_CHARACTER_DEVICE = 2;
const FILETYPE_DIRECTORY = 3;
const FILETYPE_REGULAR_FILE = 4;

const OFLAGS_CREAT = 1;
const OFLAGS_DIRECTORY = 2;
const OFLAGS_TRUNC = 8;

const WHENCE_SET = 0;
const WHENCE_CUR = 1;
const WHENCE_END = 2;

const ALL_RIGHTS = 0xffff_ffff_ffff_ffffn;

/** Thrown by `proc_exit` to unwind out of the module; caught by {@link runWasiCommand}. */
class WasiExit {
  constructor(readonly code: number) {}
}

/** A growable in-memory file. */
class MemFile {
  #bytes = new Uint8Array(64 * 1024);
  size = 0;

  write(at: number, src: Uint8Array): void {
    const end = at + src.length;
    if (end > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.#bytes.length * 2));
      grown.set(this.#bytes.subarray(0, this.size));
      this.#bytes = grown;
    }
    if (at > this.size) this.#bytes.fill(0, this.size, at);
    this.#bytes.set(src, at);
    if (end > this.size) this.size = end;
  }

  read(at: number, dst: Uint8Array): number {
    const n = Math.max(0, Math.min(dst.length, this.size - at));
    dst.set(this.#bytes.subarray(at, at + n));
    return n;
  }

  contents(): Uint8Array {
    return this.#bytes.slice(0, this.size);
  }

  truncate(): void {
    this.size = 0;
  }
}

type Descriptor =
  | { kind: 'stdin' }
  | { kind: 'output'; chunks: Uint8Array[] }
  | { kind: 'dir'; name: string }
  | { kind: 'file'; name: string; file: MemFile; position: number };

export interface WasiRunOptions {
  /** argv, including argv[0]. */
  args: readonly string[];
  /** The one preopened directory's guest path, e.g. "/out". */
  preopen: string;
  /** Files present before the run, by name within the preopened directory. */
  files?: ReadonlyMap<string, Uint8Array>;
}

export interface WasiRunResult {
  exitCode: number;
  /** Files in the preopened directory after the run (created or written). */
  files: Map<string, Uint8Array>;
  stdout: string;
  stderr: string;
}

/** What `WebAssembly.instantiate(module, imports)` returns for a compiled module. */
interface WasmInstance {
  exports: { memory?: unknown; _start?: unknown };
}

/** The WebAssembly calls used here (the project's `lib` has no WebAssembly typings). */
interface WasmApi {
  instantiate(module: object, imports: object): Promise<WasmInstance>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Instantiates a compiled WASI command module and runs its `_start` with the
 * given arguments and in-memory directory. Runs synchronously once started
 * (the module is CPU-bound); the promise covers instantiation.
 */
export async function runWasiCommand(module: object, options: WasiRunOptions): Promise<WasiRunResult> {
  const files = new Map<string, MemFile>();
  for (const [name, bytes] of options.files ?? []) {
    const file = new MemFile();
    file.write(0, bytes);
    files.set(name, file);
  }
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const fds = new Map<number, Descriptor>([
    [0, { kind: 'stdin' }],
    [1, { kind: 'output', chunks: stdout }],
    [2, { kind: 'output', chunks: stderr }],
    [3, { kind: 'dir', name: options.preopen }],
  ]);
  let nextFd = 4;
  const argBytes = options.args.map((a) => encoder.encode(`${a}\0`));

  let memory: { buffer: ArrayBuffer } | undefined;
  let view = new DataView(new ArrayBuffer(0));
  let bytes = new Uint8Array(0);
  /** Re-reads the memory views if the module's memory grew (its buffer was replaced). */
  const mem = (): void => {
    const buffer = memory!.buffer;
    if (buffer !== view.buffer) {
      view = new DataView(buffer);
      bytes = new Uint8Array(buffer);
    }
  };
  /** The iovec list at `iovs` as views into memory. */
  const iovecs = (iovs: number, count: number): Uint8Array[] => {
    mem();
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      out.push(bytes.subarray(ptr, ptr + len));
    }
    return out;
  };

  const imports = {
    wasi_snapshot_preview1: {
      args_sizes_get(argcPtr: number, bufSizePtr: number): number {
        mem();
        view.setUint32(argcPtr, argBytes.length, true);
        view.setUint32(bufSizePtr, argBytes.reduce((n, a) => n + a.length, 0), true);
        return ERRNO_SUCCESS;
      },
      args_get(argvPtr: number, bufPtr: number): number {
        mem();
        let at = bufPtr;
        argBytes.forEach((arg, i) => {
          view.setUint32(argvPtr + i * 4, at, true);
          bytes.set(arg, at);
          at += arg.length;
        });
        return ERRNO_SUCCESS;
      },
      clock_time_get(_id: number, _precision: bigint, timePtr: number): number {
        mem();
        view.setBigUint64(timePtr, BigInt(Date.now()) * 1_000_000n, true);
        return ERRNO_SUCCESS;
      },
      fd_close(fd: number): number {
        if (fd <= 3) return ERRNO_SUCCESS;
        return fds.delete(fd) ? ERRNO_SUCCESS : ERRNO_BADF;
      },
      fd_fdstat_get(fd: number, statPtr: number): number {
        const d = fds.get(fd);
        if (d === undefined) return ERRNO_BADF;
        mem();
        const type =
          d.kind === 'dir' ? FILETYPE_DIRECTORY : d.kind === 'file' ? FILETYPE_REGULAR_FILE : FILETYPE_CHARACTER_DEVICE;
        view.setUint8(statPtr, type);
        view.setUint16(statPtr + 2, 0, true);
        view.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
        view.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
        return ERRNO_SUCCESS;
      },
      fd_fdstat_set_flags(fd: number): number {
        return fds.has(fd) ? ERRNO_SUCCESS : ERRNO_BADF;
      },
      fd_prestat_get(fd: number, prestatPtr: number): number {
        const d = fds.get(fd);
        if (fd !== 3 || d?.kind !== 'dir') return ERRNO_BADF;
        mem();
        view.setUint8(prestatPtr, 0); // preopen type: directory
        view.setUint32(prestatPtr + 4, encoder.encode(d.name).length, true);
        return ERRNO_SUCCESS;
      },
      fd_prestat_dir_name(fd: number, pathPtr: number, pathLen: number): number {
        const d = fds.get(fd);
        if (fd !== 3 || d?.kind !== 'dir') return ERRNO_BADF;
        mem();
        bytes.set(encoder.encode(d.name).subarray(0, pathLen), pathPtr);
        return ERRNO_SUCCESS;
      },
      fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number {
        const d = fds.get(fd);
        if (d === undefined) return ERRNO_BADF;
        if (d.kind === 'dir') return ERRNO_ISDIR;
        let total = 0;
        if (d.kind === 'file') {
          for (const iov of iovecs(iovs, iovsLen)) {
            const n = d.file.read(d.position, iov);
            d.position += n;
            total += n;
            if (n < iov.length) break;
          }
        }
        mem();
        view.setUint32(nreadPtr, total, true);
        return ERRNO_SUCCESS;
      },
      fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
        const d = fds.get(fd);
        if (d === undefined) return ERRNO_BADF;
        if (d.kind !== 'file') return ERRNO_INVAL;
        const base = whence === WHENCE_SET ? 0 : whence === WHENCE_CUR ? d.position : whence === WHENCE_END ? d.file.size : -1;
        if (base < 0) return ERRNO_INVAL;
        const target = base + Number(offset);
        if (target < 0) return ERRNO_INVAL;
        d.position = target;
        mem();
        view.setBigUint64(newOffsetPtr, BigInt(target), true);
        return ERRNO_SUCCESS;
      },
      fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
        const d = fds.get(fd);
        if (d === undefined) return ERRNO_BADF;
        if (d.kind === 'dir') return ERRNO_ISDIR;
        let total = 0;
        for (const iov of iovecs(iovs, iovsLen)) {
          if (d.kind === 'file') {
            d.file.write(d.position, iov);
            d.position += iov.length;
          } else if (d.kind === 'output') {
            d.chunks.push(iov.slice());
          }
          total += iov.length;
        }
        mem();
        view.setUint32(nwrittenPtr, total, true);
        return ERRNO_SUCCESS;
      },
      path_open(
        dirFd: number,
        _lookupFlags: number,
        pathPtr: number,
        pathLen: number,
        oflags: number,
        _rightsBase: bigint,
        _rightsInheriting: bigint,
        _fdFlags: number,
        openedFdPtr: number,
      ): number {
        const dir = fds.get(dirFd);
        if (dir === undefined) return ERRNO_BADF;
        if (dir.kind !== 'dir') return ERRNO_NOTDIR;
        mem();
        const name = decoder.decode(bytes.subarray(pathPtr, pathPtr + pathLen)).replace(/^\.\//, '');
        if (name === '' || name === '.' || (oflags & OFLAGS_DIRECTORY) !== 0) return ERRNO_NOTDIR;
        let file = files.get(name);
        if (file === undefined) {
          if ((oflags & OFLAGS_CREAT) === 0) return ERRNO_NOENT;
          file = new MemFile();
          files.set(name, file);
        } else if ((oflags & OFLAGS_TRUNC) !== 0) {
          file.truncate();
        }
        const fd = nextFd++;
        fds.set(fd, { kind: 'file', name, file, position: 0 });
        view.setUint32(openedFdPtr, fd, true);
        return ERRNO_SUCCESS;
      },
      proc_exit(code: number): never {
        throw new WasiExit(code);
      },
    },
  };

  const instance = await wasm.instantiate(module, imports);
  const exported = instance.exports;
  if (typeof exported._start !== 'function' || typeof exported.memory !== 'object' || exported.memory === null) {
    throw new Error('not a WASI command module (no _start or memory export)');
  }
  memory = exported.memory as { buffer: ArrayBuffer };
  let exitCode = 0;
  try {
    (exported._start as () => void)();
  } catch (error) {
    if (!(error instanceof WasiExit)) throw error;
    exitCode = error.code;
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, file] of files) out.set(name, file.contents());
  return { exitCode, files: out, stdout: decoder.decode(concat(stdout)), stderr: decoder.decode(concat(stderr)) };
}
