// Flame graph colours: stable per package or file (the same code keeps its colour between
// profiles and reloads), readable on light and dark backgrounds.
import { interpolateRgb } from 'd3';

/** The part of a path that names its package: site-packages/x, node_modules/x, or the folder. */
export function packageOf(file: string): string {
  const m = /(?:site-packages|dist-packages|node_modules)\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (m) return m[1];
  if (file.startsWith('<frozen') || file.startsWith('node:')) return file.split(/[./:>]/)[0] + (file.startsWith('node:') ? 'node' : '');
  const slash = file.lastIndexOf('/');
  return slash > 0 ? file.slice(0, slash) : file;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const cache = new Map<string, string>();

export function frameColor(file: string, dark: boolean): string {
  const key = `${dark ? 'd' : 'l'}${packageOf(file)}`;
  let c = cache.get(key);
  if (!c) {
    const h = hash(key.slice(1));
    // Warm hues (flame-like) with variety; lighter in light mode so black labels read well.
    const hue = 10 + (h % 50);
    const sat = 55 + ((h >> 8) % 25);
    const light = dark ? 42 + ((h >> 16) % 12) : 62 + ((h >> 16) % 14);
    c = `hsl(${hue} ${sat}% ${light}%)`;
    cache.set(key, c);
  }
  return c;
}

const grow = interpolateRgb('#e8e8e8', '#d1495b');
const shrink = interpolateRgb('#e8e8e8', '#2e86ab');
const growDark = interpolateRgb('#3a3f47', '#e0576a');
const shrinkDark = interpolateRgb('#3a3f47', '#3c9ccc');

/** Red for growth, blue for shrinkage, grey for no change; intensity by the size of the change. */
export function diffColor(delta: number, maxDelta: number, dark: boolean): string {
  const t = Math.min(1, Math.sqrt(Math.abs(delta) / maxDelta));
  if (delta >= 0) return (dark ? growDark : grow)(t);
  return (dark ? shrinkDark : shrink)(t);
}

export function isDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}
