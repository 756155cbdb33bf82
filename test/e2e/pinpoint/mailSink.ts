/**
 * An SMTP server that keeps what it is sent: the mail relay alarm mail goes to
 * in the end to end (the `e2e/mail-sink` image of standIns.ts, a pod behind a
 * Service). It accepts any sender and recipient without auth or TLS, as a
 * relay inside a cluster may, and prints each message as one JSON line
 * (`MAIL {...}`) to stdout, the pod's log, with the envelope and the parsed
 * headers and body (nodemailer's smtp-server and mailparser).
 *
 *   node -r ts-node/register/transpile-only mailSink.ts <port>
 */
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message as the sink saw it. */
export interface SunkMail {
  envelope: { from: string; to: string[] };
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
}

export const MAIL_LINE = "MAIL ";

/** The messages in a sink's log, oldest first. */
export function sunkMails(log: string): SunkMail[] {
  return log.split("\n").filter((l) => l.startsWith(MAIL_LINE)).map((l) => JSON.parse(l.slice(MAIL_LINE.length)) as SunkMail);
}

function addresses(a: unknown): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x: { value?: Array<{ address?: string }> }) => (x.value ?? []).map((v) => v.address ?? ""));
}

function serve(port: number): void {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          const mail: SunkMail = {
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address) },
            from: addresses(m.from)[0] ?? "",
            to: addresses(m.to),
            subject: m.subject ?? "",
            html: typeof m.html === "string" ? m.html : "",
            text: m.text ?? "",
          };
          process.stdout.write(`${MAIL_LINE}${JSON.stringify(mail)}\n`);
          callback();
        })
        .catch((e: Error) => callback(e));
    },
  });
  server.listen(port, "0.0.0.0", () => process.stdout.write(`mail sink listening on ${port}\n`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) serve(Number(process.argv[2] ?? 25));
