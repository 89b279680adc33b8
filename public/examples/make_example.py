"""Makes public/examples/tornado-server.pickle: the seed story's tornado server (a handler class
that builds a list of a million ints at import time), traced with tracemalloc.start(25) before
tornado is imported, and dumped with Snapshot.dump() instead of printed.

usage: /usr/bin/python3 public/examples/make_example.py   (needs Debian's python3-tornado)
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = '/tmp/heaplens-example'  # fixed, so the paths in the dump stay the same when remade
OUT = os.path.join(HERE, 'tornado-server.pickle')

SERVER = '''import tracemalloc

logs = []
tracemalloc.start(25)

import tornado.ioloop
import tornado.web


class BadHandler(tornado.web.RequestHandler):
    memory_list = [i for i in range(1000000)]

    def get(self):
        global logs
        self.write("<br><br><br><br>".join(logs))


app = tornado.web.Application([
    (r'/bad', BadHandler),
])

snapshot = tracemalloc.take_snapshot()
snapshot.dump(%r)

if __name__ == '__main__' and False:  # the post serves the page; the example only dumps
    app.listen(8080)
    tornado.ioloop.IOLoop.instance().start()
''' % OUT

os.makedirs(WORK, exist_ok=True)
with open(os.path.join(WORK, 'server.py'), 'w') as f:
    f.write(SERVER)
subprocess.run(['/usr/bin/python3', 'server.py'], cwd=WORK, check=True)

# What tracemalloc itself says about the dump, for the tests.
sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures', 'tracemalloc'))
import tracemalloc  # noqa: E402
import make_fixtures  # noqa: E402

snapshot = tracemalloc.Snapshot.load(OUT)
expected = make_fixtures.expected_for(snapshot, 5, 4, with_filters=False)
# A million traces make the full lists tens of MB: keep each list's first rows and its length.
ROWS = 40
expected['groupCounts'] = {k: len(v) for k, v in expected['statistics'].items()}
expected['statistics'] = {k: v[:ROWS] for k, v in expected['statistics'].items()}
expected['statisticsTruncatedTo'] = ROWS
with open(os.path.join(HERE, 'tornado-server.expected.json'), 'w', encoding='utf-8') as f:
    json.dump(expected, f, ensure_ascii=False, separators=(',', ':'))
top = snapshot.statistics('lineno')[0]
print(f"{OUT}: {os.path.getsize(OUT)} bytes, {len(snapshot.traces)} traces; top line: {top}")
