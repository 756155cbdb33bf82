/**
 * A token service for the registry's token auth, as Docker Hub's and Harbor's
 * work: `GET <realm>?service=…&scope=repository:<name>:pull,push` answers a JWT
 * signed with a key whose self-signed certificate the registry trusts (openssl
 * makes both). Anonymous callers get pull only; the one user gets what it asks.
 */
import { createSign } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { run } from "./tools";

export interface TokenService {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
  /** How many tokens were issued, and to whom (`anonymous` or the user). */
  issued: string[];
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64").replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

export async function startTokenService(dir: string, user: { username: string; password: string }): Promise<TokenService> {
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, "token.key");
  const cert = path.join(dir, "token.crt");
  run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=e2e-token-issuer"]);
  const certDer = Buffer.from(
    fs.readFileSync(cert, "utf8").replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""),
    "base64",
  ).toString("base64");
  const privateKey = fs.readFileSync(key, "utf8");
  const service = "e2e-registry";
  const issuer = "e2e-issuer";
  const issued: string[] = [];
  const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== expected) {
      res.writeHead(401).end();
      return;
    }
    const who = auth ? user.username : "anonymous";
    const access = url.searchParams.getAll("scope").map((scope) => {
      const [type, name, actions] = scope.split(":");
      const asked = actions.split(",");
      return { type, name, actions: who === "anonymous" ? asked.filter((a) => a === "pull") : asked };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [certDer] };
    const claims = { iss: issuer, sub: who, aud: url.searchParams.get("service"), exp: now + 300, nbf: now - 10, iat: now, jti: `${now}-${issued.length}`, access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(signingInput).sign(privateKey);
    issued.push(who);
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: `${signingInput}.${b64url(signature)}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: cert,
    issued,
    // Clients keep connections alive: close them too, or close() waits for them.
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
