/**
 * Remote and local file inclusion through stream wrappers (OWASP CRS 931 and
 * 933200): `php://input` runs the request body, `phar://` deserializes,
 * `expect://` runs a command, `data:…;base64,PD9w` is inline PHP. These URL
 * schemes have no use in a value a user types.
 */
import { COLON } from "../char-classes.js";
import type { CodeSignal } from "./signal.js";

const CODE_WRAPPER = /\b(?:php|phar|expect):\/\//i;
const ARCHIVE_WRAPPER = /\b(?:zip|zlib|glob|rar|ogg|compress\.(?:zlib|bzip2)|ssh2\.(?:shell|exec|tunnel|sftp|scp)):\/\//i;
/** `data:` URLs whose content is PHP: literally, or base64 of `<?p` (`PD9w`). */
const DATA_PHP = /\bdata:[\w/+.-]{0,64}(?:;[\w=-]{1,32}){0,4},\s{0,4}(?:<\?|PD9w|PD8g)/i;
/** `jar:` fetches and opens a remote archive (Java URL handler): SSRF and XXE vector. */
const JAR_URL = /\bjar:(?:https?|file|ftp):/i;
/** A value that is a local file URL (`file:///etc/passwd`, Python's `local_file://`): local file inclusion. */
const FILE_URL = /^\s{0,8}(?:url:)?(?:local_)?file:\/\//i;

/** Every wrapper above is a scheme, written with a `:`: a value without one is not asked. */
export const WRAPPER_CLASSES = COLON;

/** `classes`: the character classes of `value` (char-classes.ts); without them every pattern is tried. */
export function wrapperSignal(value: string, classes = WRAPPER_CLASSES): CodeSignal | undefined {
  if ((classes & WRAPPER_CLASSES) === 0) return undefined;
  const code = CODE_WRAPPER.exec(value) ?? DATA_PHP.exec(value);
  if (code) return { score: 0.9, label: "code stream wrapper", index: code.index };
  const archive = ARCHIVE_WRAPPER.exec(value) ?? JAR_URL.exec(value);
  if (archive) return { score: 0.8, label: "archive stream wrapper", index: archive.index };
  if (FILE_URL.test(value)) return { score: 0.75, label: "local file url", index: 0 };
  return undefined;
}
