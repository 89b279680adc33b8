// JSON files read whole (sampling heap profiles, heaplens' compact form): one JSON.parse, with
// its failure told apart — a file that ends early (its last value unfinished) is 'truncated', a
// file broken in the middle is 'corrupt'. V8's messages name where parsing stopped; when that
// is the end of the text, the text was cut.

import { HeaplensError } from '../api/errors.ts';

/** `what` starts the messages: "This V8 sampling heap profile". */
export function parseJson(bytes: Uint8Array, what: string, advice: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Cut inside a multi-byte character: the bytes before it decode.
    const cutInCharacter = [1, 2, 3].some((k) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - k));
        return true;
      } catch {
        return false;
      }
    });
    if (cutInCharacter) throw new HeaplensError('truncated', `${what} is truncated: it ends inside a character. ${advice}`);
    throw new HeaplensError('corrupt', `${what} is not valid UTF-8 text, so it is not the JSON it should be.`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const end = text.trimEnd().length;
    const cut = /Unexpected end|end of JSON/i.test(message) || (at !== null && Number(at[1]) >= end) || (/Unterminated/i.test(message) && end > 0);
    if (cut) throw new HeaplensError('truncated', `${what} is truncated: its JSON ends early. ${advice}`);
    throw new HeaplensError('corrupt', `${what} is not valid JSON (${message}).`);
  }
}
