/**
 * Whether the offline render reads image configs from registries. `pulumi up`
 * reads them by default (`pinpoint:readImages`); the render contacts nothing
 * unless asked: `--read-images`, or the stack file's own `pinpoint:readImages`.
 * The answer reaches the program as stack config, so a program that loads its
 * own copy of this package sees it too; a PinpointApm argument still wins.
 */

/** The stack config key PinpointApm reads. */
export const READ_IMAGES_KEY = "pinpoint:readImages";
export const READ_IMAGES_FLAG = "--read-images";

/** The config the program sees: the stack file's, with readImages set as the render decided. */
export function withImageReading(config: Readonly<Record<string, string>>, flag: boolean | undefined): Record<string, string> {
  if (flag) return { ...config, [READ_IMAGES_KEY]: "true" };
  if (READ_IMAGES_KEY in config) return { ...config };
  return { ...config, [READ_IMAGES_KEY]: "false" };
}
