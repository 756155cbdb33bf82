/**
 * Two workloads given one applicationName report as one service in Pinpoint
 * (`orders` in dev and in qa): collected per run, each clash named with its fix.
 */
import { ANNOTATION_APPLICATION_NAME } from "../inject";

export class ApplicationNames {
  private readonly byName = new Map<string, string[]>();

  add(applicationName: string, workload: string): void {
    const list = this.byName.get(applicationName) ?? [];
    if (!list.includes(workload)) list.push(workload);
    this.byName.set(applicationName, list);
  }

  /** One message per applicationName more than one workload got. */
  clashes(): string[] {
    return [...this.byName.entries()]
      .filter(([, workloads]) => workloads.length > 1)
      .map(
        ([name, workloads]) =>
          `applicationName ${name} is given to ${workloads.length} workloads (${workloads.join("; ")}), which Pinpoint would show as one service: ` +
          `give each its own with the ${ANNOTATION_APPLICATION_NAME} annotation, or run once per namespace with its own --app-prefix (e.g. dev-, qa-)`,
      );
  }
}
