"""Makes public/examples/tornado-server.pickle: the seed story's tornado server (a handler class
that builds a list of a million ints at import time), traced with tracemalloc.start(25) before
tornado is imported, and dumped with Snapshot.dump() instead of printed. Beside it,
tornado-server.expected.json: what tracemalloc itself says about the dump, for the tests.

usage: /usr/bin/python3 public/examples/make_example.py                 (needs Debian's python3-tornado)
       /usr/bin/python3 public/examples/make_example.py --expected-only (keeps the dump, rewrites the JSON)
"""
import json
import os
import shutil
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

# Filters whose results stay small enough to keep in full (the test compares every row).
FILTERS = [
    [{'inclusive': True, 'pattern': '*/server.py', 'line': None, 'allFrames': False, 'domain': None}],
    [{'inclusive': True, 'pattern': '*/server.py', 'line': 11, 'allFrames': False, 'domain': None}],
    [{'inclusive': True, 'pattern': '*/tornado/web.py', 'line': None, 'allFrames': False, 'domain': None}],
    [{'inclusive': True, 'pattern': '*/tornado/routing.py', 'line': None, 'allFrames': True, 'domain': None}],
    [{'inclusive': True, 'pattern': '*/tornado/*.py', 'line': None, 'allFrames': False, 'domain': None},
     {'inclusive': False, 'pattern': '*/tornado/web.py', 'line': None, 'allFrames': True, 'domain': None}],
    [{'inclusive': False, 'domain': 0}],
]


def make_dump():
    os.makedirs(WORK, exist_ok=True)
    with open(os.path.join(WORK, 'server.py'), 'w') as f:
        f.write(SERVER)
    # Same bytes on every run on one machine (see make_fixtures.py): fixed hash seed, no ASLR
    # where setarch can, a minimal environment, no .pyc written for server.py.
    env = {'PATH': '/usr/bin:/bin', 'LC_ALL': 'C.UTF-8', 'PYTHONHASHSEED': '0', 'PYTHONDONTWRITEBYTECODE': '1'}
    argv = ['/usr/bin/python3', 'server.py']
    setarch = shutil.which('setarch')
    if setarch and subprocess.run([setarch, os.uname().machine, '-R', 'true']).returncode == 0:
        argv = [setarch, os.uname().machine, '-R'] + argv
    subprocess.run(argv, cwd=WORK, env=env, check=True)


def main():
    if '--expected-only' not in sys.argv[1:]:
        make_dump()

    sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures', 'tracemalloc'))
    import tracemalloc
    import make_fixtures

    snapshot = tracemalloc.Snapshot.load(OUT)
    make_fixtures.FILTERS[:] = FILTERS
    expected = make_fixtures.expected_for(snapshot, 5, 4, with_filters=True)
    # A million traces make the full lists ~10 MB (the traceback list alone ~9 MB): keep each
    # list's first rows and its length.
    rows = 40
    expected['groupCounts'] = {k: len(v) for k, v in expected['statistics'].items()}
    expected['statistics'] = {k: v[:rows] for k, v in expected['statistics'].items()}
    expected['statisticsTruncatedTo'] = rows
    with open(os.path.join(HERE, 'tornado-server.expected.json'), 'w', encoding='utf-8') as f:
        json.dump(expected, f, ensure_ascii=False, separators=(',', ':'))

    top = snapshot.statistics('lineno')[:3]
    for stat in top:
        print(stat)
    frame = top[0].traceback[0]
    assert frame.filename.endswith('/server.py') and 'memory_list = [i for i in range(1000000)]' in \
        SERVER.splitlines()[frame.lineno - 1], f'the top line is not memory_list: {top[0]}'
    print(f"{OUT}: {os.path.getsize(OUT)} bytes, {len(snapshot.traces)} traces")


if __name__ == '__main__':
    main()
