/**
 * Image-aware injection: reads the image configs the core's JVM rules use,
 * from the registry, at preview. Outside the core: it does network and disk I/O.
 */
export { ImageConfigReader, DEFAULT_TIMEOUT_MS, defaultCacheDir, imagesOf } from "./reader";
export type { ImageConfigReaderOptions } from "./reader";
export { readImageConfigFile, lookupsFromFiles, ImageConfigFileError } from "./files";
export type { FileConfig } from "./files";
export { RegistryClient, RegistryError, credentialsFromDockerConfigJson, parseChallenge, DEFAULT_PLATFORM, MANIFEST_MEDIA_TYPES } from "./registry";
export type { RegistryCredentials } from "./registry";
