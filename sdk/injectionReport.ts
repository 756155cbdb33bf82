/**
 * Why a workload was left uninstrumented, for a caller that asks (the
 * offline render). The transform and PinpointApm report here; nothing is kept
 * unless a collector is active. The collector lives on a process-wide symbol,
 * so a program that loads another copy of this package still reports to it.
 */

/** One transform's decision to leave a workload alone. */
export interface InjectionDecision {
  /** Pulumi type and resource name of the workload. */
  type: string;
  name: string;
  /** Why it was left alone, e.g. `opted out by pinpoint.fjhb.cn/inject: "false"`. */
  reason: string;
}

export interface InjectionReport {
  decisions: InjectionDecision[];
  /** PinpointApm components whose instrumentation is off (`enabled` false). */
  off: string[];
  /** Instrumented workloads whose image configs were asked for and not read: the reason is the note. */
  imageNotes: InjectionDecision[];
}

const REPORT_KEY = Symbol.for("pinpoint.fjhb.cn/injection-report");
type Holder = { [REPORT_KEY]?: InjectionReport };

function active(): InjectionReport | undefined {
  return (globalThis as Holder)[REPORT_KEY];
}

export function reportDecision(decision: InjectionDecision): void {
  active()?.decisions.push(decision);
}

/** An instrumented workload judged by its manifest because its image could not be read. */
export function reportImageNote(note: InjectionDecision): void {
  active()?.imageNotes?.push(note);
}

export function reportInstrumentationOff(component: string): void {
  active()?.off.push(component);
}

/** Starts collecting; `stop` ends it and returns what was reported. */
export function collectInjectionReport(): { stop(): InjectionReport } {
  const report: InjectionReport = { decisions: [], off: [], imageNotes: [] };
  (globalThis as Holder)[REPORT_KEY] = report;
  return {
    stop: () => {
      if ((globalThis as Holder)[REPORT_KEY] === report) delete (globalThis as Holder)[REPORT_KEY];
      return report;
    },
  };
}
