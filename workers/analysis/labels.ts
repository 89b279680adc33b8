// Grouping under a sample label, as pprof's -tagroot does it: every stack gets a frame for the
// sample's value of the label at its root, so every analysis (each grouping, tracebacks, diffs,
// flame graphs) splits by the label without knowing about labels. The result is a profile of
// its own, sharing the samples' values with the original.
//
// Why this rather than a "group by label" that lists one row per value: it is pprof's own
// answer, so its numbers can be checked against `go tool pprof -tagroot`; a flame graph gets one
// tree per value (per worker, per object size) for free; and a row per value is what grouping
// by file shows under it (the pseudo frame's file is the label's key).
//
// The pseudo frame, as pprof makes it (internal/driver/tagroot.go): function = the sample's
// values of the key joined by "," (strings first, then numbers), "" when it has none; file =
// the key; no line. Numbers are written exactly ("3200", "3200B" for bytes; pprof with -unit=byte
// writes the same; without it pprof rounds to "3.12kB" and merges what rounds alike).

import { HeaplensError } from '../api/errors.ts';
import type { Profile } from '../model/profile.ts';

function numericText(value: number, unit: string): string {
  if (unit === '') return String(value);
  if (unit === 'bytes' || unit === 'byte') return `${value}B`;
  if (unit === 'nanoseconds' || unit === 'ns') return `${value}ns`;
  return `${value}${unit}`;
}

/** The profile with label frames at the root of every stack; `keys` is one key or several, comma-separated (the first outermost). */
export function withLabelRoots(profile: Profile, keys: string): Profile {
  const wanted = keys.split(',').filter((k) => k !== '');
  const labels = profile.samples.labels;
  const { strings } = profile;
  const present = new Set(labels ? Array.from(labels.key, (k) => strings[k]) : []);
  for (const key of wanted) {
    if (!present.has(key)) {
      const have = [...present].sort();
      throw new HeaplensError(
        'unsupported-query',
        have.length ? `This profile has no label "${key}" to group by; its samples carry ${have.map((k) => `"${k}"`).join(', ')}.` : `This ${profile.meta.format} profile has no sample labels to group by.`,
      );
    }
  }
  const outStrings = strings.slice();
  const stringIndex = new Map<string, number>();
  const intern = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = outStrings.length;
      outStrings.push(s);
      stringIndex.set(s, i);
    }
    return i;
  };

  const { frames, stacks, samples } = profile;
  const func = Array.from(frames.func);
  const file = Array.from(frames.file);
  const line = Array.from(frames.line);
  const column = Array.from(frames.column);
  // Pseudo frames are frames of their own, never merged with a real frame of the same text.
  const pseudo = new Map<string, number>();
  const pseudoFrame = (key: string, value: string): number => {
    const k = `${key}\u0000${value}`;
    let f = pseudo.get(k);
    if (f === undefined) {
      f = func.length;
      func.push(intern(value));
      file.push(intern(key));
      line.push(-1);
      column.push(-1);
      pseudo.set(k, f);
    }
    return f;
  };

  const frame = Array.from(stacks.frame);
  const parent = Array.from(stacks.parent);
  const child = new Map<string, number>();
  const stackOf = (p: number, f: number): number => {
    const k = `${p},${f}`;
    let s = child.get(k);
    if (s === undefined) {
      s = frame.length;
      frame.push(f);
      parent.push(p);
      child.set(k, s);
    }
    return s;
  };
  // A copy of original stack s under root r: memoised per (r, s), built outermost first.
  const copies = new Map<number, Map<number, number>>();
  const copyUnder = (root: number, s: number): number => {
    let m = copies.get(root);
    if (!m) copies.set(root, (m = new Map()));
    const path: number[] = [];
    let at = s;
    let top = root;
    for (; at >= 0; at = stacks.parent[at]) {
      const known = m.get(at);
      if (known !== undefined) {
        top = known;
        break;
      }
      path.push(at);
    }
    for (let i = path.length - 1; i >= 0; i--) {
      top = stackOf(top, stacks.frame[path[i]]);
      m.set(path[i], top);
    }
    return top;
  };

  const rootOf = new Map<string, number>();
  const stack = new Int32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const texts = wanted.map((key) => {
      const strs: string[] = [];
      const nums: string[] = [];
      if (labels) {
        for (let j = labels.start[i]; j < labels.start[i + 1]; j++) {
          if (strings[labels.key[j]] !== key) continue;
          if (labels.str[j] >= 0) strs.push(strings[labels.str[j]]);
          else nums.push(numericText(labels.num[j], labels.unit[j] >= 0 ? strings[labels.unit[j]] : ''));
        }
      }
      return [...strs, ...nums].join(',');
    });
    const rk = texts.join('\u0000');
    let root = rootOf.get(rk);
    if (root === undefined) {
      root = -1;
      wanted.forEach((key, w) => (root = stackOf(root!, pseudoFrame(key, texts[w]))));
      rootOf.set(rk, root);
    }
    stack[i] = copyUnder(root, samples.stack[i]);
  }

  return {
    ...profile,
    strings: outStrings,
    frames: { func: Int32Array.from(func), file: Int32Array.from(file), line: Int32Array.from(line), column: Int32Array.from(column), length: func.length },
    stacks: { frame: Int32Array.from(frame), parent: Int32Array.from(parent), length: frame.length },
    samples: { ...samples, stack },
  };
}
