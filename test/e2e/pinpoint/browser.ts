/**
 * The web UI in a real browser: Debian's Chromium, headless, driven by
 * puppeteer-core over a pipe (no browser download, no debugging port). It runs
 * in the cluster network's node namespace, where the pod IPs are, and resolves
 * the Ingress host the stack outputs to the web pod's port: what an Ingress
 * controller would route to (no controller runs here).
 *
 * Pages are the web 3.0.1 frontend's own routes: `/login` (the basic-login
 * form), `/serverMap/<app>@<serviceType>?from&to` and
 * `/transactionList/<app>@<serviceType>?from&to&dragInfo` (dates as
 * yyyy-MM-dd-HH-mm-ss in the browser's zone, UTC here).
 */
import * as fs from "fs";
import * as path from "path";
import type { Browser, HTTPResponse, Page } from "puppeteer-core";
import type { ClusterNetwork } from "../cluster/network";
import { onPath } from "../tools";

/** The page's document, inside page.evaluate callbacks (the tests compile without the DOM library). */
declare const document: { body: { innerText: string } };

/** Debian's package and the command it installs. */
export const CHROMIUM = { command: "chromium", debianPackage: "chromium" };
const VIEWPORT = { width: 1440, height: 900 };
const PAGE_TIMEOUT_MS = 90000;

export interface BrowserOptions {
  network: ClusterNetwork;
  /** The Ingress host (stack output webIngressUrl), resolved to podIp:port. */
  host: string;
  podIp: string;
  port: number;
  /** Scratch folder (the wrapper script) and where screenshots go. */
  tmpDir: string;
  outDir: string;
}

/** The page as a reader sees it: its text, and the API answers it was given to draw. */
export interface PageSeen {
  url: string;
  text: string;
  screenshot: string;
  answers: Record<string, unknown>;
}

/** The missing command, with its package, or undefined. */
export function missingChromium(): string | undefined {
  return onPath(CHROMIUM.command) ? undefined : `${CHROMIUM.command} (Debian package ${CHROMIUM.debianPackage})`;
}

/** yyyy-MM-dd-HH-mm-ss in UTC, as the frontend writes its from/to. */
export function uiDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, "-");
}

export class WebBrowser {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly o: BrowserOptions,
  ) {}

  static async launch(o: BrowserOptions): Promise<WebBrowser> {
    const puppeteer = await import("puppeteer-core");
    fs.mkdirSync(o.outDir, { recursive: true });
    // Chromium inside the node's network namespace; the pipe (fds 3 and 4) passes through nsenter.
    const wrapper = path.join(o.tmpDir, "chromium-in-node");
    const chromium = require("child_process").execFileSync("sh", ["-c", `command -v ${CHROMIUM.command}`], { encoding: "utf8" }).trim();
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec nsenter --net=${o.network.nodeNetns} -- ${chromium} "$@"\n`);
    fs.chmodSync(wrapper, 0o755);
    const browser = await puppeteer.launch({
      executablePath: wrapper,
      pipe: true,
      headless: true,
      defaultViewport: VIEWPORT,
      env: { ...process.env, TZ: "UTC" },
      // Root needs --no-sandbox; the rest keeps a headless Chromium small on a shared two-core machine.
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-US", `--host-resolver-rules=MAP ${o.host}:80 ${o.podIp}:${o.port}`],
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    return new WebBrowser(browser, page, o);
  }

  get base(): string {
    return `http://${this.o.host}`;
  }

  version(): Promise<string> {
    return this.browser.version();
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  /** Opens the web; it must send the browser to its login form; fills it in as a user would. */
  async logIn(user: string, password: string): Promise<{ loginPage: PageSeen; landed: string; cookie: string }> {
    await this.page.goto(`${this.base}/`, { waitUntil: "networkidle2" });
    await this.page.waitForSelector("input[type=password]");
    const loginPage = await this.seen("login", {});
    await this.page.type("input[name=username]", user);
    await this.page.type("input[type=password]", password);
    await Promise.all([this.page.waitForNavigation({ waitUntil: "networkidle2" }), this.page.click("button[type=submit], input[type=submit]")]);
    const cookies = await this.page.cookies();
    const jwt = cookies.find((c) => c.name === "pinpointJwt");
    return { loginPage, landed: this.page.url(), cookie: jwt ? jwt.name : "" };
  }

  /** Opens a route, records the API answers whose path matches `watch`, waits (a while) for every word of `ready` in the page text. */
  async open(name: string, route: string, watch: RegExp, ready: string[]): Promise<PageSeen> {
    const answers: Record<string, unknown> = {};
    const listener = (r: HTTPResponse) => {
      const u = new URL(r.url());
      if (!watch.test(u.pathname)) return;
      r.json().then(
        (body) => (answers[u.pathname] = body),
        () => undefined,
      );
    };
    this.page.on("response", listener);
    try {
      await this.page.goto(`${this.base}${route}`, { waitUntil: "networkidle2" });
      await this.page.waitForFunction((words: string[]) => words.every((w) => document.body.innerText.includes(w)), { polling: 1000, timeout: 60000 }, ready).catch(() => undefined);
      // Charts and the map draw after their data: give them a moment.
      await new Promise((r) => setTimeout(r, 3000));
      return await this.seen(name, answers);
    } finally {
      this.page.off("response", listener);
    }
  }

  private async seen(name: string, answers: Record<string, unknown>): Promise<PageSeen> {
    const screenshot = path.join(this.o.outDir, `browser-${name}.png`);
    await this.page.screenshot({ path: screenshot as `${string}.png` });
    const text = await this.page.evaluate(() => document.body.innerText);
    fs.writeFileSync(path.join(this.o.outDir, `browser-${name}.txt`), text);
    fs.writeFileSync(path.join(this.o.outDir, `browser-${name}.answers.json`), JSON.stringify(answers, null, 2));
    return { url: this.page.url(), text, screenshot, answers };
  }
}
