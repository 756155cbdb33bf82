/**
 * The Pinpoint web's HTTP API, the part the report reads: the endpoints its own
 * UI calls, checked in upstream's sources per release and in the 3.0.1 jar:
 *
 * | release | applications | an application's agents |
 * |---|---|---|
 * | 2.5.x | `/applications` | `/agents/search-application` (groups with `instancesList`) |
 * | 3.0.x | `/api/applications` | `/api/agents/search-application` (groups with `instancesList`) |
 * | 3.1.x | `/api/applications` | `/api/agents/overview` (a flat list) |
 *
 * Each application is `{applicationName, serviceType, code}`; each agent its
 * info unwrapped plus `status: {state: {code, desc}, eventTimestamp}`. Login
 * (basic-login module, all three): `POST /login` form, JWT in the `pinpointJwt` cookie.
 * The release is found by asking: a 404 moves on to the older or newer path.
 */

/** One HTTP exchange; the transport is replaceable (a test's network namespace, a proxy). */
export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface HttpResponse {
  status: number;
  /** Lower-case names; `set-cookie` may hold several, newline-separated. */
  headers: Record<string, string>;
  body: string;
}
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** An application as `/api/applications` lists it. */
export interface WebApplication {
  applicationName: string;
  serviceType: string;
}

/** An agent as `/api/agents/search-application` lists it. */
export interface WebAgent {
  agentId: string;
  agentName?: string;
  agentVersion?: string;
  hostName?: string;
  ip?: string;
  startTimestamp?: number;
  /** RUNNING, SHUTDOWN, UNEXPECTED_SHUTDOWN, DISCONNECTED, UNKNOWN. */
  state?: string;
  /** When the web last heard of the agent's state. */
  stateTimestamp?: number;
}

export const LOGIN_PATH = "/login";
const NOT_FOUND = Symbol("not found");
export const JWT_COOKIE = "pinpointJwt";
const TIMEOUT_MS = 10000;

export class WebError extends Error {}

export interface WebClientOptions {
  /** The web's base URL, e.g. http://pinpoint-web.pinpoint.svc.cluster.local:8080. */
  url: string;
  user?: string;
  password?: string;
  transport?: Transport;
  /** Called with every response, for recording fixtures. */
  record?: (path: string, response: HttpResponse) => void;
}

export class PinpointWebClient {
  private readonly base: string;
  private readonly transport: Transport;
  private cookie: string | undefined;
  /** `/api` (3.x) or `` (2.5.x), found by the first request. */
  private prefix: string | undefined;

  constructor(private readonly o: WebClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(o.url);
    } catch {
      throw new WebError(`web URL "${o.url}" is not a URL: write it like http://pinpoint-web.pinpoint:8080`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new WebError(`web URL "${o.url}": use http:// or https://`);
    this.base = o.url.replace(/\/+$/, "");
    this.transport = o.transport ?? fetchTransport;
  }

  async applications(): Promise<WebApplication[]> {
    let body = await this.getJson("/api/applications", true);
    this.prefix = "/api";
    if (body === NOT_FOUND) {
      body = await this.getJson("/applications");
      this.prefix = "";
    }
    if (!Array.isArray(body)) throw new WebError(`${this.base}${this.prefix}/applications did not answer a list: is this a Pinpoint web?`);
    return body
      .filter((a) => a && typeof a.applicationName === "string")
      .map((a) => ({ applicationName: a.applicationName as string, serviceType: String(a.serviceType ?? "") }));
  }

  /** The agents the web knows under an application, over the window [from, to] (ms). */
  async agents(applicationName: string, from: number, to: number): Promise<WebAgent[]> {
    const query = new URLSearchParams({ application: applicationName, from: String(from), to: String(to) });
    if (this.prefix === undefined) await this.applications();
    let path = `${this.prefix}/agents/search-application`;
    let body = await this.getJson(`${path}?${query}`, this.prefix === "/api");
    if (body === NOT_FOUND) {
      path = "/api/agents/overview";
      body = await this.getJson(`${path}?${query}`);
    }
    if (!Array.isArray(body)) throw new WebError(`${this.base}${path} did not answer a list`);
    // Groups with instancesList (2.5, 3.0) or the agents themselves (3.1).
    return body.flatMap((item: { instancesList?: unknown[]; agentId?: unknown }) => (Array.isArray(item?.instancesList) ? item.instancesList : item?.agentId !== undefined ? [item] : [])).map(toAgent);
  }

  /** With `notFoundOk`, a 404 answers NOT_FOUND (another release's path) instead of failing. */
  private async getJson(path: string, notFoundOk = false): Promise<any> {
    if (this.o.user !== undefined && this.cookie === undefined) await this.login();
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.cookie) headers.cookie = this.cookie;
    const r = await this.send({ method: "GET", url: `${this.base}${path}`, headers });
    this.o.record?.(path, r);
    if (r.status === 401 || r.status === 403 || (r.status >= 300 && r.status < 400 && /login/.test(r.headers.location ?? ""))) {
      throw new WebError(`${this.base}${path} answered ${r.status}: the web asks for a login; give --web-user and PINPOINT_WEB_PASSWORD`);
    }
    if (r.status === 404 && notFoundOk) return NOT_FOUND;
    if (r.status !== 200) throw new WebError(`${this.base}${path} answered ${r.status}: ${r.body.slice(0, 200)}`);
    try {
      return JSON.parse(r.body);
    } catch {
      throw new WebError(`${this.base}${path} answered no JSON (${r.body.slice(0, 80)}…): is the URL the Pinpoint web?`);
    }
  }

  /** Basic login: the form Spring Security serves, then the JWT cookie. */
  private async login(): Promise<void> {
    const body = new URLSearchParams({ username: this.o.user ?? "", password: this.o.password ?? "" }).toString();
    const r = await this.send({ method: "POST", url: `${this.base}${LOGIN_PATH}`, headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    const jwt = (r.headers["set-cookie"] ?? "").split("\n").map((c) => c.split(";")[0].trim()).find((c) => c.startsWith(`${JWT_COOKIE}=`));
    if (!jwt) throw new WebError(`login to ${this.base} as "${this.o.user}" failed (${r.status}, no ${JWT_COOKIE} cookie): check --web-user and PINPOINT_WEB_PASSWORD`);
    this.cookie = jwt;
  }

  private async send(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.transport(request);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new WebError(`cannot reach the Pinpoint web at ${this.base}: ${why}; from outside the cluster use its Ingress URL or kubectl port-forward`);
    }
  }
}

function toAgent(a: any): WebAgent {
  // The status object's shape: { state: { code, desc } | "RUNNING", eventTimestamp }.
  const status = a?.status ?? {};
  const state = typeof status.state === "string" ? status.state : status.state?.desc ?? status.state?.name;
  return {
    agentId: String(a?.agentId ?? ""),
    agentName: a?.agentName ?? undefined,
    agentVersion: a?.agentVersion ?? undefined,
    hostName: a?.hostName ?? undefined,
    ip: a?.ip ?? undefined,
    startTimestamp: typeof a?.startTimestamp === "number" ? a.startTimestamp : undefined,
    state: typeof state === "string" ? state.toUpperCase() : undefined,
    stateTimestamp: typeof status.eventTimestamp === "number" ? status.eventTimestamp : undefined,
  };
}

/** Node's fetch, no redirects followed (a login redirect must be seen), a time limit per request. */
export const fetchTransport: Transport = async (request) => {
  const r = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  const headers: Record<string, string> = {};
  r.headers.forEach((v, k) => (headers[k] = v));
  const cookies = r.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers["set-cookie"] = cookies.join("\n");
  return { status: r.status, headers, body: await r.text() };
};
