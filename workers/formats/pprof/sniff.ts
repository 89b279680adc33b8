// Recognising a pprof profile.proto from its first bytes, without its name.

import { Reader } from './wire.ts';

// Wire types profile.proto allows per field of each message (bit w set = wire type w).
const VARINT = 1 << 0;
const LEN = 1 << 2;
const PROFILE_FIELDS = [0, LEN, LEN, LEN, LEN, LEN, LEN, VARINT, VARINT, VARINT, VARINT, LEN, VARINT, VARINT | LEN, VARINT, VARINT];
const NESTED_FIELDS: Record<number, number[]> = {
  1: [0, VARINT, VARINT], // ValueType
  2: [0, VARINT | LEN, VARINT | LEN, LEN], // Sample
  3: [0, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT, VARINT], // Mapping
  4: [0, VARINT, VARINT, VARINT, LEN, VARINT], // Location
  5: [0, VARINT, VARINT, VARINT, VARINT, VARINT], // Function
  11: [0, VARINT, VARINT], // period_type
};

/** Whether [start, end) reads as the fields `allowed` permits; running out at the head's end is fine. */
function plausibleMessage(head: Uint8Array, start: number, end: number, allowed: number[]): boolean {
  const r = new Reader(head, start, end);
  try {
    while (r.pos < end) {
      const tag = r.uint();
      const f = Math.floor(tag / 8);
      const w = tag & 7;
      if (f === 0) return false;
      // Unknown fields of newer producers are allowed, as long as their wire type exists.
      if (f < allowed.length ? !(allowed[f] & (1 << w)) : w !== 0 && w !== 1 && w !== 2 && w !== 5) return false;
      if (w === 0) r.uint();
      else if (w === 2) {
        const n = r.uint();
        r.pos += n;
      }
      else r.pos += w === 1 ? 8 : 4;
    }
    return r.pos === end || end === head.length;
  } catch {
    return end === head.length;
  }
}

/**
 * Whether the first bytes of a file (already gunzipped) are a pprof profile.proto: every field
 * in them must be a Profile field with the wire type profile.proto gives it (Go starts with
 * period_type, others with sample_type), each nested message must read as its type, the string
 * table must start with "", and at least two fields must be there unless the head ends first.
 * JSON, pickles, heap snapshots and text fail on their first byte or two. Once CONFIDENT fields
 * have read well, a field that does not is damage in a pprof profile, and the file is claimed so
 * that the decoder can say where it is damaged instead of "not a recognised profile".
 */
const CONFIDENT = 8;
/**
 * The fields producers write first: sample_type (encoders in field order: pprof's own, prost,
 * pprof-format), samples or mappings (a profile without sample types), time_nanos (Go's CPU
 * writer), period_type (Go's heap writer). A text starting with "j" reads as a comment field.
 */
const FIRST_FIELDS = new Set([1, 2, 3, 9, 11]);

export function sniff(head: Uint8Array): boolean {
  if (head.length < 2) return false;
  const r = new Reader(head, 0, head.length);
  let fields = 0;
  let strings = 0;
  try {
    while (r.pos < head.length) {
      const tag = r.uint();
      const f = Math.floor(tag / 8);
      const w = tag & 7;
      if (fields === 0 && !FIRST_FIELDS.has(f)) return false;
      if (f === 0 || (f < PROFILE_FIELDS.length && !(PROFILE_FIELDS[f] & (1 << w)))) return fields >= CONFIDENT;
      if (f >= PROFILE_FIELDS.length) return fields > 0; // a field newer than this reader: stop judging
      if (w === 0) r.uint();
      else {
        const n = r.uint();
        const start = r.pos;
        const end = Math.min(head.length, start + n);
        if (f === 6) {
          if (strings === 0 && n !== 0) return fields >= CONFIDENT;
          strings++;
        } else if (f !== 13 && !plausibleMessage(head, start, end, NESTED_FIELDS[f])) return fields >= CONFIDENT;
        r.pos = start + n;
      }
      fields++;
    }
  } catch {
    // The head ends inside a tag or a length: judge by the fields read so far.
    return fields > 0;
  }
  return fields >= 2 || (fields === 1 && r.pos >= head.length);
}
