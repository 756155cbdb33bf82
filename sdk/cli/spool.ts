/**
 * Disk in place of memory (issue 20): standard input, the output and the
 * report are held in temporary files while documents stream through, so the
 * tool's memory follows the largest document, not the input. The output still
 * reaches standard output only when the whole run succeeded.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SPOOL_PREFIX = "pinpoint-inject-";
/** Text gathered before a write to the file; the size of each read when copying out. */
const SPOOL_BUFFER_BYTES = 1 << 20;
/** How long to wait when standard input has nothing yet (a non-blocking pipe). */
const STDIN_RETRY_MS = 5;

/** A temporary folder removed at exit, even when the process ends early. */
export class SpoolDir {
  readonly dir: string;
  private readonly cleanup = () => this.remove();

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), SPOOL_PREFIX));
    process.on("exit", this.cleanup);
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  remove(): void {
    process.removeListener("exit", this.cleanup);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Text appended in order to a file, then copied out whole. */
export class Spool {
  private readonly fd: number;
  private buffered: string[] = [];
  private bufferedLength = 0;
  private empty = true;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, "w+");
  }

  append(text: string): void {
    if (text === "") return;
    this.empty = false;
    this.buffered.push(text);
    this.bufferedLength += text.length;
    if (this.bufferedLength >= SPOOL_BUFFER_BYTES) this.flush();
  }

  isEmpty(): boolean {
    return this.empty;
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    fs.writeSync(this.fd, this.buffered.join(""));
    this.buffered = [];
    this.bufferedLength = 0;
  }

  /** Copies everything appended to `out`, a piece at a time, waiting when it is full. */
  async copyTo(out: NodeJS.WritableStream): Promise<void> {
    this.flush();
    const buf = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES);
    for (let pos = 0; ; ) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      if (!out.write(Buffer.from(buf.subarray(0, n)))) await new Promise((resolve) => out.once("drain", resolve));
    }
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Standard input copied into `file` as bytes, a piece at a time (not held in memory). */
export function spoolStdin(file: string, fd = 0): void {
  const out = fs.openSync(file, "w");
  try {
    const buf = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STDIN_RETRY_MS);
          continue;
        }
        if (code === "EOF") break;
        throw e;
      }
      if (n === 0) break;
      fs.writeSync(out, buf, 0, n);
    }
  } finally {
    fs.closeSync(out);
  }
}
