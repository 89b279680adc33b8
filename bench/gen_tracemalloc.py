"""Makes a big real tracemalloc dump for `npm run bench`: about N live traces (default 2 M)
over a few thousand distinct tracebacks through 400 functions in 20 modules, like a
long-running server's heap.

usage: /usr/bin/python3 bench/gen_tracemalloc.py OUT.pickle [N]
"""
import importlib
import os
import random
import sys
import tracemalloc

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
MODULES, FUNCS, PATHS = 20, 20, 5000

src_dir = '/tmp/heaplens-bench/app'
os.makedirs(src_dir, exist_ok=True)
sys.path.insert(0, src_dir)
for m in range(MODULES):
    lines = []
    for f in range(FUNCS):
        # Each function allocates on its own line when it is the innermost frame.
        lines.append(f"def handler_{f}(path, i):\n"
                     f"    if path:\n"
                     f"        return path[0](path[1:], i)\n"
                     f"    return b'{m}-{f}' * (i % {17 + f} + 1)\n")
    with open(os.path.join(src_dir, f"service_{m}.py"), 'w') as fp:
        fp.write("\n".join(lines))
importlib.invalidate_caches()
funcs = [getattr(importlib.import_module(f"service_{m}"), f"handler_{f}")
         for m in range(MODULES) for f in range(FUNCS)]

rng = random.Random(42)
paths = [[rng.choice(funcs) for _ in range(rng.randint(1, 9))] for _ in range(PATHS)]

tracemalloc.start(10)
keep = []
per_path = max(1, target // PATHS)
for p in paths:
    head, rest = p[0], p[1:]
    keep.extend(head(rest, i) for i in range(per_path))
snapshot = tracemalloc.take_snapshot()
tracemalloc.stop()
snapshot.dump(out)
print(f"{len(snapshot.traces)} traces, {len(set(t.traceback for t in snapshot.traces))} tracebacks -> {out}")
