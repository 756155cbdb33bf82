/**
 * An alarm rule set the way a user sets it in the web UI (Configuration →
 * Alarm): a user with a mail address, a user group holding that user, and a
 * rule for an application, through the web 3.x REST API the UI calls; then
 * the same rule read back from the API and from MySQL's tables.
 *
 * The API, as pinpoint-apm/pinpoint v3.0.1 declares it (web/.../authorization/
 * controller/{User,UserGroup,Alarm}Controller.java; the bodies are the JSON of
 * user/.../vo/{User,UserGroup,UserGroupMemberParam}.java and web/.../alarm/vo/Rule.java):
 * - POST /api/user {userId, name, department, phoneCountryCode, phoneNumber, email}
 *   → {"result":"SUCCESS"}; userId 4–24 of [a-z0-9-_], email checked by pattern.
 * - POST /api/userGroup {id} → {"result":"SUCCESS","number":…}; id 4–30 of [A-Za-z0-9-_].
 * - POST /api/userGroup/member {userGroupId, memberId} → {"result":"SUCCESS"}.
 * - POST /api/alarmRule {applicationId, serviceType, checkerName, threshold,
 *   userGroupId, smsSend, emailSend, webhookSend, notes} → {"result":"SUCCESS","ruleId":…};
 *   checker names from GET /api/alarmRule/checker (CheckerCategory: "SLOW COUNT", "ERROR COUNT", …).
 * - GET /api/alarmRule?applicationId=… → the application's rules.
 * Tables (web/src/main/resources/sql/CreateTableStatement-mysql.sql): puser,
 * user_group, user_group_member, alarm_rule (rule_id, application_id,
 * service_type, checker_name, threshold, user_group_id, sms_send, email_send, …).
 */

/** What the test asks of the web: JSON in and out over the cluster network. */
export interface WebJson {
  get<T>(pathAndQuery: string): T;
  post<T>(pathAndQuery: string, body: unknown): T;
}

export const ALARM_USER = { userId: "dev-oncall", name: "dev-oncall", department: "dev-platform", phoneCountryCode: 0, phoneNumber: "", email: "oncall@e2e.example.com" };
export const ALARM_GROUP = "dev-tomcat-zffw-oncall";
/** At least this many calls of the application in the checked five minutes raise the alarm (batch: value >= threshold); the one checker the batch stand-in runs. */
export const ALARM_CHECKER = "TOTAL COUNT";
export const ALARM_THRESHOLD = 3;

export interface StoredRule {
  ruleId: string;
  applicationId: string;
  serviceType: string;
  checkerName: string;
  threshold: number;
  userGroupId: string;
  emailSend: boolean;
}

interface Answer {
  result?: string;
  ruleId?: string;
  number?: string;
}

function succeeded(what: string, a: Answer): Answer {
  if (a.result !== "SUCCESS") throw new Error(`${what}: the web answered ${JSON.stringify(a)}`);
  return a;
}

/** The user, its group and the rule, as the UI creates them; returns the rule as the web lists it. */
export function createAlarmRule(web: WebJson, applicationId: string, serviceType: string): { rule: StoredRule; checkers: string[] } {
  const checkers = web.get<string[]>("/api/alarmRule/checker");
  if (!checkers.includes(ALARM_CHECKER)) throw new Error(`the web offers no checker "${ALARM_CHECKER}": ${checkers.join(", ")}`);
  succeeded("POST /api/user", web.post<Answer>("/api/user", ALARM_USER));
  succeeded("POST /api/userGroup", web.post<Answer>("/api/userGroup", { id: ALARM_GROUP }));
  succeeded("POST /api/userGroup/member", web.post<Answer>("/api/userGroup/member", { userGroupId: ALARM_GROUP, memberId: ALARM_USER.userId }));
  const { ruleId } = succeeded(
    "POST /api/alarmRule",
    web.post<Answer>("/api/alarmRule", {
      applicationId,
      serviceType,
      checkerName: ALARM_CHECKER,
      threshold: ALARM_THRESHOLD,
      userGroupId: ALARM_GROUP,
      smsSend: false,
      emailSend: true,
      webhookSend: false,
      notes: "set by the real-Pinpoint end to end",
    }),
  );
  const rules = web.get<StoredRule[]>(`/api/alarmRule?applicationId=${encodeURIComponent(applicationId)}`);
  const rule = rules.find((r) => String(r.ruleId) === String(ruleId));
  if (!rule) throw new Error(`rule ${ruleId} not listed for ${applicationId}: ${JSON.stringify(rules)}`);
  return { rule, checkers };
}

/** The SQL that reads the rule, its group's members and their mail back (tab-separated: rule_id, application_id, service_type, checker_name, threshold, user_group_id, email_send, member email). */
export function storedRuleQuery(ruleId: string): string {
  return (
    "SELECT r.rule_id, r.application_id, r.service_type, r.checker_name, r.threshold, r.user_group_id, r.email_send, u.email " +
    "FROM alarm_rule r JOIN user_group_member m ON m.user_group_id = r.user_group_id JOIN puser u ON u.user_id = m.member_id " +
    `WHERE r.rule_id = ${Number(ruleId)}`
  );
}

/** The tables a schema file creates. */
export function createdTables(sql: string): string[] {
  return [...sql.matchAll(/^\s*CREATE TABLE\s+(?:IF NOT EXISTS\s+)?`?([A-Za-z0-9_]+)/gim)].map((m) => m[1]);
}
