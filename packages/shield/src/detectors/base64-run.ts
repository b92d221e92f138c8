import type { Candidate } from "./types.js";

/** Base64 of the shortest payload a decoding detector flags (`../../` is `Li4vLi4v`, 8 characters). */
const MIN_BASE64_RUN = 8;

/**
 * Whether a letters-and-digits value may be a base64 run of text: long
 * enough, with both cases (base64 of ASCII text mixes them; words, numbers
 * and hex ids mostly do not). Such values go to the detectors that decode
 * base64, which look closer.
 */
export function mayBeBase64Run(candidate: Candidate): boolean {
  const value = candidate.canonical;
  if (value.length < MIN_BASE64_RUN) return false;
  let cases = 0;
  for (let i = 0; i < value.length && cases !== 3; i++) {
    const c = value.charCodeAt(i);
    if (c >= 65 && c <= 90) cases |= 1;
    else if (c >= 97 && c <= 122) cases |= 2;
  }
  return cases === 3;
}
