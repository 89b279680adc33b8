"""Python's own cost for what heaplens does: pickle.load of a tracemalloc dump, then
statistics('lineno'). Prints JSON with seconds for each step and the top row."""
import json
import resource
import pickle
import sys
import time

path = sys.argv[1]
t0 = time.perf_counter()
with open(path, 'rb') as f:
    snapshot = pickle.load(f)
t1 = time.perf_counter()
stats = snapshot.statistics('lineno')
t2 = time.perf_counter()
top = stats[0]
print(json.dumps({'load': t1 - t0, 'statistics': t2 - t1,
                  'peakRss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 'traces': len(snapshot.traces),
                  'top': {'file': top.traceback[0].filename, 'line': top.traceback[0].lineno,
                          'size': top.size, 'count': top.count}}))
