/**
 * How the command-line tools end when something outside their own checks
 * goes wrong: one line on standard error, never a stack trace. Output into a
 * closed pipe (`| head`) ends the program quietly, as other Unix tools do
 * (status 141, the shell's number for SIGPIPE); any other write error, or an
 * exception nothing caught, is one `error:` line and status 1.
 */

/** 128 + SIGPIPE (13): what `yes | head` reports for `yes`. */
export const EXIT_BROKEN_PIPE = 141;
const EXIT_FAILURE = 1;

/** The message of an error as a user should read it: a stack overflow says what it means. */
export function readableMessage(e: unknown): string {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return "nests too deeply to be read (more levels than this tool's stack holds; no Kubernetes object nests so deep)";
  }
  return e instanceof Error ? e.message : String(e);
}

/** Installs the handlers for a program named `program`; call once, at start. */
export function guardProcess(program: string): void {
  const onStreamError = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    // Standard error itself may be what failed: try once, then give up.
    try {
      process.stderr.write(`${program}: error: cannot write the output: ${e.message}\n`);
    } catch {
      // nothing more can be said
    }
    process.exit(EXIT_FAILURE);
  };
  process.stdout.on("error", onStreamError);
  process.stderr.on("error", onStreamError);
  process.on("uncaughtException", (e) => {
    process.stderr.write(`${program}: error: ${readableMessage(e)}\n`);
    process.exit(EXIT_FAILURE);
  });
}
