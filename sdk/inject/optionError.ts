/**
 * A bad option: `option` is its name in InjectOptions (a path into it, such
 * as `initResources.limits.cpu`), so each caller can name it as its user
 * wrote it (the CLI's flag, the stack's config key).
 */
export class OptionError extends Error {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option} ${problem}`);
    this.name = "OptionError";
  }
}
