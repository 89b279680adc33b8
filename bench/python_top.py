"""What a Python user runs instead of `heaplens top FILE --by line`: tracemalloc's own
Snapshot.load() and statistics('lineno'), printed like the "Display the top 10" example in
tracemalloc's documentation. Timed by bench/run.js as one whole process.

usage: /usr/bin/python3 bench/python_top.py DUMP.pickle
"""
import sys
import tracemalloc

snapshot = tracemalloc.Snapshot.load(sys.argv[1])
top_stats = snapshot.statistics('lineno')

print("[ Top 10 ]")
for stat in top_stats[:10]:
    print(stat)
