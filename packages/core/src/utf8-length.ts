/**
 * Whether `text` encodes to at most `limit` UTF-8 bytes, without encoding it.
 * A UTF-16 code unit takes 1 to 3 bytes (a surrogate pair 4 for its two
 * units, a lone surrogate 3 as U+FFFD), so most texts are settled by their
 * length alone and only those in between are counted. Body limits are in
 * bytes; the core and the shield both check a string body against one.
 */
export function utf8LengthAtMost(text: string, limit: number): boolean {
  if (text.length > limit) return false;
  if (text.length * 3 <= limit) return true;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return false;
  }
  return true;
}
