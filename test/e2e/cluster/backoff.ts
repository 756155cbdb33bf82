/**
 * The kubelet's crash-loop back-off for one container: how long a restart
 * must wait after the container's last instance ended.
 *
 * Checked against kubernetes/kubernetes (read through the code search):
 * - pkg/kubelet/kubelet.go: the initial container back-off is 10 s
 *   (`containerBackOffPeriod`, `initialCrashLoopBackOff` in newer trees) and
 *   the cap 300 s (`MaxContainerBackOff`, `MaxCrashLoopBackOff`); shorter
 *   values only behind the alpha gates ReduceDefaultCrashLoopBackOffDecay and
 *   KubeletCrashLoopBackOffMax, off by default.
 * - pkg/kubelet/kuberuntime/kuberuntime_manager.go, `doBackOff`: before
 *   starting a container, the kubelet looks for its latest exited instance;
 *   none, no back-off. Else it is held back while less than the current
 *   window has passed since that instance finished; if not held back, the
 *   window moves on (`Next`) and the container starts.
 * - client-go util/flowcontrol/backoff.go: a container with no entry yet is
 *   never held back; the first `Next` sets the window to the initial period,
 *   each later one doubles it up to the cap; an entry whose last move is more
 *   than twice the cap (600 s) older than the instance's end counts as expired
 *   (not held back, and the next move starts again at the initial period).
 *
 * So a container that keeps exiting at once restarts immediately the first
 * time, then 10 s, 20 s, 40 s … 300 s after each exit; one that ran for more
 * than 10 minutes since its last restart starts the sequence over. (Docs
 * summarise this as "10s, 20s, 40s, …": the immediate first restart is the
 * code's, since there is no window before the first `Next`.) The kubelet acts
 * at its next pod sync after the window ends; this stand-in acts exactly then.
 */

/** pkg/kubelet/kubelet.go's initial container back-off. */
export const INITIAL_BACKOFF_MS = 10_000;
/** pkg/kubelet/kubelet.go's cap on it. */
export const MAX_BACKOFF_MS = 300_000;
/** flowcontrol's "stable" age: twice the cap since the window last moved, and it starts over. */
export const BACKOFF_RESET_MS = 2 * MAX_BACKOFF_MS;

export class CrashLoopBackOff {
  /** The current window (none before the first restart). */
  private windowMs?: number;
  /** When the window last moved (a restart). */
  private movedAt = 0;

  /** The current window, for the evidence; 0 before the first restart. */
  get currentMs(): number {
    return this.windowMs ?? 0;
  }

  private expired(finishedAt: number): boolean {
    return finishedAt - this.movedAt > BACKOFF_RESET_MS;
  }

  /** How long a restart must still wait, at `now`, for an instance that finished at `finishedAt` (0: start now). */
  remainingMs(finishedAt: number, now: number): number {
    if (this.windowMs === undefined || this.expired(finishedAt)) return 0;
    return Math.max(0, finishedAt + this.windowMs - now);
  }

  /** A restart goes ahead at `now`: the window moves on (initial, doubled, capped; initial again once expired). */
  next(finishedAt: number, now: number): void {
    this.windowMs = this.windowMs === undefined || this.expired(finishedAt) ? INITIAL_BACKOFF_MS : Math.min(this.windowMs * 2, MAX_BACKOFF_MS);
    this.movedAt = now;
  }
}
