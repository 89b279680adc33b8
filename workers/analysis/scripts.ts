// Script ids → URLs, for the constructor locations of classes DevTools splits by location
// (`scriptId,line,column,Name`): DevTools can only link them while connected to the page; a file
// names its scripts in two places — V8's "system / Script / URL" objects (an internal `id` edge to
// a number whose `value` is the id, a `name` edge to the URL string), and, in snapshots with
// allocation traces, the trace function infos (script_id, script_name).

import { typeCodes, type HeapGraph } from '../model/heap-graph.ts';

export function scriptNames(g: HeapGraph): Map<number, string> {
  const map = new Map<number, string>();
  const t = g.traces;
  if (t) for (let i = 0; i < t.scriptId.length; i++) if (t.scriptId[i] > 0 && g.strings[t.scriptName[i]]) map.set(t.scriptId[i], g.strings[t.scriptName[i]]);
  const c = typeCodes(g);
  const script = new Uint8Array(g.strings.length);
  let any = false;
  g.strings.forEach((s, i) => {
    if (s.startsWith('system / Script / ') || s === 'system / Script') {
      script[i] = 1;
      any = true;
    }
  });
  if (!any) return map;
  const edgeNamed = (node: number, name: string): number => {
    for (let e = g.firstEdge[node]; e < g.firstEdge[node + 1]; e++) {
      if (g.edgeType[e] === c.edgeInternal && g.strings[g.edgeNameOrIndex[e]] === name) return g.edgeTo[e];
    }
    return -1;
  };
  for (let i = 0; i < g.nodeCount; i++) {
    if (script[g.nodeName[i]] !== 1) continue;
    const idNode = edgeNamed(i, 'id');
    const nameNode = edgeNamed(i, 'name');
    if (idNode < 0 || nameNode < 0) continue;
    const valueNode = edgeNamed(idNode, 'value');
    const id = valueNode >= 0 ? Number(g.strings[g.nodeName[valueNode]]) : NaN;
    const url = g.strings[g.nodeName[nameNode]];
    if (Number.isInteger(id) && url && !map.has(id)) map.set(id, url);
  }
  return map;
}
