/**
 * The pp_agent image contract: what the build context holds and how the image
 * is named, in one place. The image side of the seed's recipe: `FROM busybox`,
 * the agent files directly under /var/lib/pp_agent/.
 */
import { AGENT_SOURCE_DIR, BOOTSTRAP_JAR } from "../inject/constants";

export { AGENT_SOURCE_DIR, BOOTSTRAP_JAR };

/** The seed's base image; set baseImage to a Harbor proxy-cache path where Docker Hub is out of reach. */
export const DEFAULT_BASE_IMAGE = "busybox";
/** The seed's Harbor project and repository. */
export const DEFAULT_IMAGE_REPOSITORY = "fjhb/pp_agent";
/** Where the build context is written, relative to the program's folder: stable across machines. */
export const DEFAULT_CONTEXT_ROOT = ".pinpoint/agent-image";

export const DOCKERFILE_NAME = "Dockerfile";
/** The folder in the context that holds the agent files, copied to AGENT_SOURCE_DIR. */
export const CONTEXT_AGENT_DIR = "pp_agent";

/** `pinpoint-bootstrap.jar` or `pinpoint-bootstrap-<version>.jar`; group 1 is the version. */
export const BOOTSTRAP_JAR_PATTERN = /^pinpoint-bootstrap(?:-(\d[A-Za-z0-9._-]*))?\.jar$/;
/** The official archive's top folder, `pinpoint-agent-<version>`; group 1 is the version. */
export const AGENT_FOLDER_PATTERN = /^pinpoint-agent-(\d[A-Za-z0-9._-]*)$/;
/** Archives the system `tar` unpacks (it detects the compression itself). */
export const ARCHIVE_PATTERN = /\.(tar\.gz|tgz|tar)$/;

/** Every file and folder gets a fixed mtime, so the same agent gives the same context bytes and layer. */
export const CONTEXT_MTIME = new Date("2000-01-01T00:00:00Z");
/** World-readable: the init container copies the files as a non-root uid. */
export const FILE_MODE = 0o644;
export const EXECUTABLE_MODE = 0o755;
export const DIR_MODE = 0o755;

/** Hex characters of the content hash in the pushed tag. */
export const TAG_HASH_LENGTH = 12;
/** Tag prefix when no agent version is known. */
export const UNVERSIONED_TAG_PREFIX = "agent";

/** The docker-registry pull Secret PinpointApm creates in each instrumented namespace. */
export const PULL_SECRET_NAME = "pp-agent-pull";
export const PULL_SECRET_TYPE = "kubernetes.io/dockerconfigjson";
export const PULL_SECRET_KEY = ".dockerconfigjson";
