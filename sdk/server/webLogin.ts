/**
 * The web UI's own login. `admin.password` (webAdminPassword) guards only the
 * admin API (`/api/admin/**`); everything else the web serves is open. Both
 * 2.5 and 3.x web carry Pinpoint's basic-login module (form login, a JWT
 * cookie, users from `web.security.auth.*`): 2.5 turns it on with the Spring
 * profile `basicLogin`, 3.x with `pinpoint.modules.web.login=basicLogin`. It is
 * turned on whenever an Ingress publishes the UI, with the user `admin` and
 * webAdminPassword, which is then required.
 */
import { createHash } from "crypto";
import type { EnvVar } from "kubernetes-types/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, CONFIG_NAMESPACE } from "../config";
import { SECRET_CONFIG_PLACEHOLDER } from "../render/stackConfig";
import { env, secretEnv } from "./common";
import type { ServerSettings } from "./config";
import { SECRET_KEYS, SPRING_PROFILE } from "./constants";

/** The one user the component declares; it has the admin role. */
export const WEB_LOGIN_USER = "admin";
/** 2.5's switch: a Spring profile (after `release`, which stays the first and so Pinpoint's own profile). */
export const BASIC_LOGIN_PROFILE = "basicLogin";
/** 3.x's switch: `pinpoint.modules.web.login`. */
export const BASIC_LOGIN_MODULE_ENV = "PINPOINT_MODULES_WEB_LOGIN";
export const LOGIN_ADMIN_ENV = "WEB_SECURITY_AUTH_ADMIN";
export const LOGIN_JWT_SECRET_ENV = "WEB_SECURITY_AUTH_JWT_SECRETKEY";
/** Separators of `web.security.auth.admin` (`user:password,user:password`). */
const LIST_SEPARATORS = /[,:\s]/;

/** Login is on exactly when the UI is published outside the cluster. */
export function webLoginOn(s: ServerSettings): boolean {
  return s.ingress !== undefined;
}

/** The password, checked; an Ingress without one is an error at preview. */
export function requireLoginPassword(ingressHost: string | undefined, password: pulumi.Output<string> | undefined): pulumi.Output<string> | undefined {
  if (ingressHost === undefined) return password;
  if (!password) {
    throw new ConfigError(
      "webAdminPassword",
      "is not set, and pinpoint:webIngressHost publishes the web UI (it then asks for a login)",
      `set the login's password with \`pulumi config set --secret ${CONFIG_NAMESPACE}:webAdminPassword <password>\` (the user is ${WEB_LOGIN_USER}), or remove pinpoint:webIngressHost`,
    );
  }
  return password.apply(checkLoginPassword);
}

/** The password as the login can use it; throws naming the key otherwise (the preview fails when the secret resolves). */
export function checkLoginPassword(p: string): string {
  // pinpoint-render stands in for secrets it cannot decrypt; that stand-in is no password to check.
  if (p !== SECRET_CONFIG_PLACEHOLDER && (p.length < 8 || LIST_SEPARATORS.test(p))) {
    throw new ConfigError("webAdminPassword", "must be at least 8 characters with no comma, colon or space (the web reads users as user:password,…)");
  }
  return p;
}

/** The Secret's entries the login needs: the user list and a signing key derived from the password. */
export function webLoginSecretData(password: pulumi.Output<string>): Record<string, pulumi.Output<string>> {
  return {
    [SECRET_KEYS.webLoginAdmin]: password.apply((p) => `${WEB_LOGIN_USER}:${p}`),
    // A stable key (so logins survive restarts) that changes with the password; 64 hex characters, well over the HMAC minimum.
    [SECRET_KEYS.webLoginJwtSecret]: password.apply((p) => createHash("sha256").update(`pinpoint-web-jwt:${p}`).digest("hex")),
  };
}

/**
 * What the web's readiness probe asks for: the index page, or with the login on
 * the login page, which Spring Security's generated form serves (200) to anyone;
 * for `/` a probe (no text/html in its Accept) may get the 401 of the basic-auth
 * entry point the module also configures instead of a redirect.
 */
export function webReadinessPath(s: ServerSettings): string {
  return webLoginOn(s) ? LOGIN_PAGE : INDEX_PAGE;
}
const INDEX_PAGE = "/";
const LOGIN_PAGE = "/login";

/** The Spring profiles of the web: 2.5 adds basicLogin when the login is on. */
export function webProfiles(s: ServerSettings): string[] {
  return webLoginOn(s) && s.release.properties === "2.5" ? [SPRING_PROFILE, BASIC_LOGIN_PROFILE] : [SPRING_PROFILE];
}

/** The login's env: the 3.x switch and the credentials, from the Secret. */
export function webLoginEnv(s: ServerSettings): EnvVar[] {
  if (!webLoginOn(s)) return [];
  return [
    ...(s.release.properties === "3.x" ? env({ [BASIC_LOGIN_MODULE_ENV]: BASIC_LOGIN_PROFILE }) : []),
    secretEnv(LOGIN_ADMIN_ENV, SECRET_KEYS.webLoginAdmin),
    secretEnv(LOGIN_JWT_SECRET_ENV, SECRET_KEYS.webLoginJwtSecret),
  ];
}
