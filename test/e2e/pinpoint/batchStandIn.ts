/**
 * The pinpointdocker/pinpoint-batch 3.x image, as far as Maven Central serves
 * it: java/BatchAlarmStandIn.java over the web 3.0.1 exec jar's classes and
 * libraries (which carry batch's alarm sender, user groups, datasource and the
 * alarm DAOs) and a Jakarta Mail provider (maven/batch). What is upstream's and
 * what is ours is written in the Java file's header.
 *
 * The image's batch-root.properties is played by the keys of it that the mail
 * path reads, with their defaults at tag v3.0.1 (read in pinpoint-apm/pinpoint,
 * batch/src/main/resources/batch-root.properties). The rendered env overrides
 * them, as environment variables override a Spring Boot application's files;
 * a key the render forgot would fall back to these (port 587, port 25 for the
 * provider, the operator's sender address), and the mail would not arrive.
 */
import * as fs from "fs";
import * as path from "path";
import { NAMES, PORTS } from "../../../sdk/server/constants";
import type { ImageStandIn } from "../cluster/kubelet";
import { run } from "../tools";
import { JAVA17_OPENS, SERVER_FAST_START } from "../../support/pinpointJars";

/** batch-root.properties at v3.0.1: the keys the alarm mail path reads, and their defaults. */
export const BATCH_ROOT_DEFAULTS: Readonly<Record<string, string>> = {
  "batch.server.env": "release",
  "spring.mail.pinpoint-url": "",
  "spring.mail.host": "",
  "spring.mail.username": "",
  "spring.mail.password": "",
  "spring.mail.protocol": "smtp",
  "spring.mail.port": "587",
  "spring.mail.properties.mail.debug": "false",
  "spring.mail.properties.mail.smtp.from": "pinpoint_operator@pinpoint-.com",
  "spring.mail.properties.mail.smtp.port": "25",
  "spring.mail.properties.mail.smtp.auth": "false",
  "spring.mail.properties.mail.smtp.starttls.enable": "false",
  "spring.mail.properties.mail.smtp.starttls.required": "false",
  "spring.mail.properties.mail.smtp.ssl.enable": "false",
  "webhook.enable": "false",
};

/** Seconds between the stand-in's rule checks (batch's own job runs every three minutes). */
export const BATCH_CHECK_PERIOD_SECONDS = 10;
/** What the stand-in prints when it hands a detected rule to upstream's mail sender. */
export const BATCH_MAIL_HANDED = /rule (\S+): mail handed to SpringSmtpMailSender/;

const IMAGE_ROOT = "/pinpoint-batch";

/** The files of the batch stand-in, prepared once under dir. */
export class BatchStandIn {
  private readonly root: string;
  private readonly classpath: string[];

  /** webJar: the released web exec jar; mailProvider: Jakarta Mail's implementation jars (maven/batch). */
  constructor(webJar: string, mailProvider: readonly string[], dir: string) {
    this.root = path.join(dir, "batch-image");
    const exploded = path.join(this.root, "web");
    fs.mkdirSync(exploded, { recursive: true });
    run("unzip", ["-q", "-o", webJar, "BOOT-INF/*", "-d", exploded]);
    const lib = path.join(exploded, "BOOT-INF", "lib");
    const libJars = fs.readdirSync(lib).filter((j) => j.endsWith(".jar")).sort();
    const provider = path.join(this.root, "mail");
    fs.mkdirSync(provider, { recursive: true });
    const providerJars = mailProvider.filter((p) => /\/angus-[^/]+\.jar$/.test(p));
    for (const j of providerJars) fs.copyFileSync(j, path.join(provider, path.basename(j)));
    const classes = path.join(this.root, "classes");
    const hostClasspath = [path.join(exploded, "BOOT-INF", "classes"), ...libJars.map((j) => path.join(lib, j))];
    run("javac", ["-d", classes, "-cp", hostClasspath.join(":"), path.join(__dirname, "java", "BatchAlarmStandIn.java")]);
    fs.writeFileSync(path.join(this.root, "batch-root.properties"), Object.entries(BATCH_ROOT_DEFAULTS).map(([k, v]) => `${k}=${v}\n`).join(""));
    run("chmod", ["-R", "a+rX", this.root]);
    this.classpath = [`${IMAGE_ROOT}/classes`, `${IMAGE_ROOT}/web/BOOT-INF/classes`, ...libJars.map((j) => `${IMAGE_ROOT}/web/BOOT-INF/lib/${j}`), ...providerJars.map((j) => `${IMAGE_ROOT}/mail/${path.basename(j)}`)];
  }

  /** The image: the stand-in's JVM, the image's properties file, and where to ask the web for histograms. */
  image(): ImageStandIn {
    return {
      entrypoint: ["java", ...SERVER_FAST_START, ...JAVA17_OPENS, "-Xmx256m", "-cp", this.classpath.join(":"), "BatchAlarmStandIn"],
      env: {
        PINPOINT_STANDIN_BATCH_ROOT: `${IMAGE_ROOT}/batch-root.properties`,
        PINPOINT_STANDIN_WEB: `http://${NAMES.web}.pinpoint.svc.cluster.local:${PORTS.web}`,
        PINPOINT_STANDIN_PERIOD: String(BATCH_CHECK_PERIOD_SECONDS),
      },
      mounts: [{ hostPath: this.root, mountPath: IMAGE_ROOT, readOnly: true }],
    };
  }
}
