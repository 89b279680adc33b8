// V8 writes a WeakMap value's two retainers (its key and its table) as two internal edges named
// "N / part of key (…) -> value (…) pair in WeakMap (table @id)". DevTools' dominators skip the
// table's edge and its distances take the farther of the two; both recognise the names here.

const WEAKMAP_EDGE = /^\d+( \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$/;

/** Recognises V8's ephemeron edge names, once per string. */
export class WeakMapEdgeNames {
  /** Per string: 0 not looked at yet, 1 not an ephemeron edge name, 2 one. */
  readonly state: Uint8Array;
  private parts = new Map<number, { pair: string; table: number }>();
  constructor(private readonly strings: string[]) {
    this.state = new Uint8Array(strings.length);
  }
  /** For an ephemeron edge name: the key/value pair it names (same for both edges) and the table id. */
  parse(nameIndex: number): { pair: string; table: number } | null {
    const s = this.state[nameIndex];
    if (s === 1) return null;
    if (s === 2) return this.parts.get(nameIndex)!;
    const name = this.strings[nameIndex];
    const m = name !== undefined && name.includes(' / part of key (') ? WEAKMAP_EDGE.exec(name) : null;
    if (!m) {
      this.state[nameIndex] = 1;
      return null;
    }
    const part = { pair: m[1], table: Number(m[2]) };
    this.state[nameIndex] = 2;
    this.parts.set(nameIndex, part);
    return part;
  }
}
