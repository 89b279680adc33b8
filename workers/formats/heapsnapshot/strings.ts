// The strings section: one string literal at a time (escapes included), so no string larger than
// one of the snapshot's own strings is ever built — the whole section as one JS string would
// stop near 512 MB, where big snapshots' strings sections start.

import { ByteBuffer, isSpace, openArray, type ScanPosition } from './layout.ts';

export class StringReader {
  readonly strings: string[] = [];
  /** Set when the section's closing ']' has been read. */
  done = false;
  private opened = false;
  private inString = false;
  private escape = false;
  private readonly str = new ByteBuffer();
  private strEscaped = false;
  private readonly utf8 = new TextDecoder('utf-8');
  // Byte-per-character (windows-1252, the same as ASCII below 0x80): only ASCII strings are
  // sliced from it.
  private readonly latin1 = new TextDecoder('latin1');
  private latinOf: Uint8Array | null = null;
  private latinText = '';

  constructor(private readonly pos: ScanPosition) {}

  scan(b: Uint8Array, i: number): number {
    if (!this.opened) {
      i = openArray(b, i, 'strings', this.pos);
      if (i < 0) return b.length;
      this.opened = true;
    }
    const n = b.length;
    while (i < n) {
      if (this.inString) {
        // Find the closing quote, noting whether the literal has escapes.
        let j = i;
        let esc = this.escape;
        let escaped = false;
        let ascii = true;
        while (j < n) {
          const c = b[j];
          if (esc) esc = false;
          else if (c === 0x5c) esc = escaped = true;
          else if (c === 0x22) break;
          else if (c < 0x20) this.pos.fail('a string holds a raw control character', j);
          else if (c >= 0x80) ascii = false;
          j++;
        }
        this.escape = esc;
        if (escaped) this.strEscaped = true;
        if (j === n) {
          this.str.append(b, i, n);
          if (this.str.length > 0x1fffffe8) this.pos.fail('a string is longer than JavaScript strings can be', j);
          return n;
        }
        let text: string;
        if (this.str.length === 0 && !this.strEscaped) {
          // Most strings are short ASCII names. One Latin-1 decode of the chunk and a slice per
          // string is 3× faster than a decoder call per string (a measured hot path).
          if (ascii && n <= 1 << 24) {
            if (this.latinOf !== b) {
              this.latinOf = b;
              this.latinText = this.latin1.decode(b);
            }
            text = this.latinText.slice(i, j);
          } else text = this.utf8.decode(b.subarray(i, j));
        }
        else {
          this.str.append(b, i, j);
          const raw = this.str.data.subarray(0, this.str.length);
          text = this.strEscaped ? this.unescape(raw, j) : this.utf8.decode(raw);
        }
        this.strings.push(text);
        this.str.length = 0;
        this.strEscaped = false;
        this.inString = false;
        i = j + 1;
        continue;
      }
      const c = b[i++];
      if (c === 0x22) this.inString = true;
      else if (c === 0x5d) {
        this.done = true;
        return i;
      } else if (c !== 0x2c && !isSpace(c)) this.pos.fail(`unexpected "${String.fromCharCode(c)}" in the strings section`, i - 1);
    }
    return i;
  }

  private units = new Uint16Array(1024);

  /**
   * A JSON string literal's bytes (without quotes) → the string: UTF-8 sequences and escapes,
   * `\uXXXX` included, become UTF-16 code units; a surrogate pair written as two escapes becomes
   * one character, and a lone surrogate (which JS strings may hold) is kept as it is.
   */
  private unescape(raw: Uint8Array, at: number): string {
    if (this.units.length < raw.length) this.units = new Uint16Array(Math.max(raw.length, this.units.length * 2));
    const u = this.units;
    let k = 0;
    for (let i = 0; i < raw.length; ) {
      const c = raw[i++];
      if (c === 0x5c) {
        const e = raw[i++];
        if (e === 0x75) {
          if (i + 4 > raw.length) this.pos.fail('a string ends inside a \\u escape', at);
          let v = 0;
          for (let h = 0; h < 4; h++) {
            const x = raw[i++];
            const d = x >= 0x30 && x <= 0x39 ? x - 0x30 : x >= 0x61 && x <= 0x66 ? x - 0x57 : x >= 0x41 && x <= 0x46 ? x - 0x37 : -1;
            if (d < 0) this.pos.fail('a string has a malformed \\u escape', at);
            v = v * 16 + d;
          }
          u[k++] = v;
        } else if (e === 0x6e) u[k++] = 0x0a;
        else if (e === 0x22 || e === 0x5c || e === 0x2f) u[k++] = e;
        else if (e === 0x74) u[k++] = 0x09;
        else if (e === 0x72) u[k++] = 0x0d;
        else if (e === 0x62) u[k++] = 0x08;
        else if (e === 0x66) u[k++] = 0x0c;
        else this.pos.fail('a string has an invalid escape', at);
      } else if (c < 0x80) {
        u[k++] = c;
      } else {
        // A raw UTF-8 sequence (V8 escapes non-ASCII, other writers may not).
        let cp: number;
        let more: number;
        if (c >= 0xf0 && c < 0xf8) [cp, more] = [c & 0x07, 3];
        else if (c >= 0xe0) [cp, more] = [c & 0x0f, 2];
        else if (c >= 0xc0) [cp, more] = [c & 0x1f, 1];
        else [cp, more] = [0xfffd, 0];
        for (; more > 0 && i < raw.length && (raw[i] & 0xc0) === 0x80; more--) cp = (cp << 6) | (raw[i++] & 0x3f);
        if (more > 0 || cp > 0x10ffff) cp = 0xfffd;
        if (cp >= 0x10000) {
          cp -= 0x10000;
          u[k++] = 0xd800 + (cp >> 10);
          u[k++] = 0xdc00 + (cp & 0x3ff);
        } else u[k++] = cp;
      }
    }
    let text = '';
    for (let s = 0; s < k; s += 8192) text += String.fromCharCode.apply(null, u.subarray(s, Math.min(k, s + 8192)) as unknown as number[]);
    return text;
  }
}
