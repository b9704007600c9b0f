#!/usr/bin/env python3
"""Load for bench/xapi: `write` posts batches of 50 statements for a
duration from N threads and prints statements/s. (The read is measured with
wrk and bench/xapi_read.lua: a compiled client keeps its own time out of the
latency.)"""
import base64, http.client, json, random, sys, threading, time, uuid
from urllib.parse import urlparse, quote

mode, base, key, secret = sys.argv[1:5]
u = urlparse(base)
auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}

def statement(n):
    return {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example/", "name": f"learner-{n % 1000}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"id": f"https://lms.example/activities/{n % 97}", "definition": {"name": {"en-US": "A lesson"}}},
        "context": {"registration": str(uuid.uuid4()), "language": "en"},
    }

if mode == "write":
    duration, threads = float(sys.argv[5]), int(sys.argv[6])
    done, errors, lat = [0], [0], []
    lock = threading.Lock()
    stop = time.time() + duration
    def worker(t):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        n = t * 10_000_000
        while time.time() < stop:
            body = json.dumps([statement(n + i) for i in range(50)])
            n += 50
            t0 = time.perf_counter()
            c.request("POST", "/xapi/statements", body, headers)
            r = c.getresponse(); r.read()
            with lock:
                lat.append(time.perf_counter() - t0)
                if r.status == 200: done[0] += 50
                else: errors[0] += 1
    start = time.time()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()
    secs = time.time() - start
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print(f"   {done[0]} statements in {secs:.1f} s = {done[0]/secs:.0f} statements/s; "
          f"batch p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms; {errors[0]} failed requests")
else:
    sys.exit("bench/xapi_load.py: the read is measured with wrk (bench/xapi_read.lua)")
