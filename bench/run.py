#!/usr/bin/env python3
"""lambdalite's benchmark: throughput and latency against a do-nothing ceiling server (and optionally moto),
start-up time, idle and loaded memory, how cost grows with the number of functions and the policy size, and what
durability (--state-dir) costs the write scenarios.

Usage: python3 bench/run.py [--duration 10] [--warmup 2] [--moto] [--functions 100000] [--quick] [--no-durable]
                            [--state-parent DIR]

The server under test is pinned to CPU 0 and the load generator (wrk, 16 keep-alive connections on one thread) to
CPU 1. lambdalite and the ceiling run side by side, scenario by scenario. Every scenario must answer only 2xx: a run with any other status says so and exits non-zero.
"""

import argparse
import base64
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "bench", "lua")
# Built as the container image builds its binary: glibc linked statically (crt-static), for the build machine's own
# triple, so what is measured is what ships (docker/Dockerfile). Static linking matters for memory: a dynamic
# binary maps libc and its relocations too (about 1.7 MiB more idle RSS). The ceiling is built the same way.
# The same flags as docker/Dockerfile (which says why relocation-model=static).
STATIC_RUSTFLAGS = "-C target-feature=+crt-static -C relocation-model=static"
HOST = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.split("host: ")[1].split()[0]
RELEASE = os.path.join(ROOT, "target", HOST, "release")
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CPU, LOAD_CPU = "0", "1"
CONNECTIONS = 16
# wrk threads for the scenarios. Several threads on the one load CPU are time-sliced at the scheduler tick, and p99
# then measures that: with one thread per connection the do-nothing ceiling showed 4-12 ms, with two threads 3-5 ms.
# One event loop drives the 16 connections well past the ceiling's throughput. bench/lua/mix.lua works with any
# number of connections per thread.
THREADS = 1


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def small_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


ZIP = small_zip()
ZIP_B64 = base64.b64encode(ZIP).decode()


class Proc:
    """A server process we started, pinned to one CPU; stopped by PID."""

    def __init__(self, argv, ready_prefix, env=None):
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=dict(os.environ, **(env or {})),
        )
        if ready_prefix is None:
            self.url = None
            return
        line = self.proc.stdout.readline().strip()
        if not line.startswith(ready_prefix):
            self.stop()
            raise RuntimeError(f"{argv[0]}: unexpected first line {line!r}")
        self.url = line[len(ready_prefix):]

    @property
    def host_port(self):
        return self.url.split("//", 1)[1]

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def call(host_port, method, path, body=None, expect=(200, 201, 204)):
    conn = http.client.HTTPConnection(host_port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    if r.status not in expect:
        raise RuntimeError(f"{method} {path} -> {r.status} {payload[:300]!r}")
    return r.status, payload


def create_function(hp, name):
    call(hp, "POST", "/2015-03-31/functions", {
        "FunctionName": name, "Runtime": "python3.12", "Role": "arn:aws:iam::000000000000:role/r",
        "Handler": "index.handler", "Code": {"ZipFile": ZIP_B64},
    })


def add_statements(hp, name, count, start=0):
    for i in range(start, start + count):
        call(hp, "POST", f"/2015-03-31/functions/{name}/policy", {
            "StatementId": f"seed-{i}", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
            "SourceAccount": "123456789012", "SourceArn": f"arn:aws:s3:::seed-bucket-{i}",
        })


def setup_lambdalite(hp):
    """Function `bench` with 10 statements, and layer `bench` version 1 with 10 statements (when layers exist)."""
    create_function(hp, "bench")
    add_statements(hp, "bench", 10)
    try:
        call(hp, "POST", "/2018-10-31/layers/bench/versions", {"Content": {"ZipFile": ZIP_B64}})
    except RuntimeError as e:
        log(f"  layers unavailable: {e}")
        return False
    for i in range(10):
        call(hp, "POST", "/2018-10-31/layers/bench/versions/1/policy", {
            "StatementId": f"seed-{i}", "Action": "lambda:GetLayerVersion", "Principal": f"1234567890{i:02d}",
        })
    return True


def setup_moto(hp):
    """moto needs the role to exist in its IAM before CreateFunction."""
    import boto3
    kw = dict(endpoint_url=f"http://{hp}", region_name="us-east-1", aws_access_key_id="testing",
              aws_secret_access_key="testing")
    iam = boto3.client("iam", **kw)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    lam = boto3.client("lambda", **kw)
    lam.create_function(FunctionName="bench", Runtime="python3.12", Role=role, Handler="index.handler",
                        Code={"ZipFile": ZIP})
    for i in range(10):
        lam.add_permission(FunctionName="bench", StatementId=f"seed-{i}", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::seed-bucket-{i}")
    layer = lam.publish_layer_version(LayerName="bench", Content={"ZipFile": ZIP})
    for i in range(10):
        lam.add_layer_version_permission(LayerName="bench", VersionNumber=layer["Version"], StatementId=f"seed-{i}",
                                         Action="lambda:GetLayerVersion", Principal=f"1234567890{i:02d}")
    return True


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)]


RUNS = iter(range(1, 1_000_000))


def wrk(url, env, duration, script="mix.lua", threads=THREADS, connections=CONNECTIONS, done_dir=None):
    """Runs wrk pinned to the load CPU and returns its figures. With `done_dir`, stops wrk (SIGINT) once every
    thread has left its marker there."""
    env = dict(env, BENCH_RUN=f"r{next(RUNS)}")
    proc = subprocess.Popen(
        ["taskset", "-c", LOAD_CPU, "wrk", "--latency", "-t", str(threads), "-c", str(connections),
         "-d", f"{duration}s", "-s", os.path.join(LUA, script), url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, **env),
    )
    if done_dir:
        deadline = time.monotonic() + duration
        while len(os.listdir(done_dir)) < threads and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=duration + 120)
    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
           "requests": int(re.search(r"(\d+) requests in", out).group(1)),
           "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
           "errors": sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        res[f"p{pct}"] = parse_ms(m.group(1)) if m else float("nan")
    return res


SCENARIOS = [
    ("GetPolicy (10 statements)", {"BENCH_READS": "1", "BENCH_PAIRS": "0"}),
    ("AddPermission+RemovePermission", {"BENCH_READS": "0"}),
    ("AddLayerVersionPermission+Remove", {"BENCH_READS": "0", "BENCH_KIND": "layer"}),
    ("90/10 GetPolicy / add+remove", {"BENCH_READS": "18"}),
]


def clean_policies(hp, has_layers=True):
    """Removes what wrk left behind in the `bench` policies: a run that ends mid-pair leaves up to one statement
    per connection, and the next scenario would otherwise read (and send) a bigger policy than the seed's."""
    targets = ["/2015-03-31/functions/bench/policy"]
    if has_layers:
        targets.append("/2018-10-31/layers/bench/versions/1/policy")
    for path in targets:
        status, body = call(hp, "GET", path, expect=(200, 404))
        if status != 200:
            continue
        for st in json.loads(json.loads(body)["Policy"])["Statement"]:
            if not st["Sid"].startswith("seed-"):
                call(hp, "DELETE", f"{path}/{st['Sid']}", expect=(200, 204, 404))


def measure(server, scenarios, duration, warmup, has_layers=True, clean=True):
    rows = {}
    for name, env in scenarios:
        if "layer" in env.get("BENCH_KIND", "") and not has_layers:
            continue
        if warmup:
            wrk(server.url, env, warmup)
        if clean:
            clean_policies(server.host_port, has_layers)
        cpu0, t0 = server.cpu_seconds(), time.monotonic()
        r = wrk(server.url, env, duration)
        r["cpu"] = 100 * (server.cpu_seconds() - cpu0) / (time.monotonic() - t0)
        r["rss"] = server.rss_kib() / 1024
        rows[name] = r
        log(f"  {name}: {r['rps']:.0f} req/s p50 {r['p50']:.3f} ms p99 {r['p99']:.3f} ms "
            f"cpu {r['cpu']:.0f}% rss {r['rss']:.1f} MiB non-2xx {r['non2xx']} errors {r['errors']}")
    return rows


def startup(binary, runs=20):
    """Exec to the first successful health answer, in ms: median over `runs`; also the idle RSS. With the default
    configuration, as `docker run` starts it (so at the default log level)."""
    times, rss = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = Proc([binary, "--port", "0"], "lambdalite listening on ")
        while True:
            try:
                call(p.host_port, "GET", "/_lambdalite/health")
                break
            except (ConnectionError, OSError):
                time.sleep(0.0005)
        times.append((time.perf_counter() - t0) * 1000)
        rss.append(p.rss_kib() / 1024)
        p.stop()
    return statistics.median(times), statistics.median(rss)


def load(server, prefix, functions, statements, create):
    """Creates `functions` functions and/or adds `statements` statements to each, through the real API with wrk."""
    threads = CONNECTIONS
    done_dir = tempfile.mkdtemp(prefix="lambdalite-bench-")
    env = {"BENCH_DONE_DIR": done_dir, "BENCH_FUNCTIONS": str(functions), "BENCH_STATEMENTS": str(statements), "BENCH_THREADS": str(threads),
           "BENCH_ZIP_B64": ZIP_B64, "BENCH_PREFIX": prefix, "BENCH_CREATE": "1" if create else "0"}
    r = wrk(server.url, env, 3600, script="load.lua", threads=threads, done_dir=done_dir)
    shutil.rmtree(done_dir, ignore_errors=True)
    if r["non2xx"] or r["errors"]:
        raise RuntimeError(f"load: {r['non2xx']} non-2xx, {r['errors']} socket errors")
    return r


def cpu_times():
    """The machine's CPU time counters (/proc/stat's first line)."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def steal_percent(before, after):
    """Share of CPU time the hypervisor gave to other guests between two cpu_times() readings."""
    delta = [a - b for a, b in zip(after, before)]
    return 100 * delta[7] / max(1, sum(delta[:8])) if len(delta) > 7 else 0.0


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per measured scenario")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each scenario")
    ap.add_argument("--moto", action="store_true", help="also run the scenarios against moto_server")
    ap.add_argument("--functions", type=int, default=100_000, help="functions for the memory and growth figures")
    ap.add_argument("--quick", action="store_true", help="short run: 3 s scenarios, 5 start-ups, 2,000 functions")
    ap.add_argument("--no-durable", action="store_true", help="skip the --state-dir write scenarios")
    ap.add_argument("--state-parent", default=None,
                    help="where the --state-dir scenarios keep their directory (default: the system temp dir); "
                         "put it on the disk you care about")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.warmup, args.functions = 3, 1, 2000
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install wrk util-linux")

    load_before = os.getloadavg()
    log("building release binaries ...")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "lambdalite", "-p", "ceiling", "--bins",
                    "--target", HOST], cwd=ROOT, check=True,
                   env=dict(os.environ, RUSTFLAGS=STATIC_RUSTFLAGS))
    binary = os.path.join(RELEASE, "lambdalite")
    failures = []
    report = []

    # Throughput and latency: lambdalite and the ceiling side by side, scenario by scenario, so that a burst of
    # outside load (other processes, a busy VM host) hits both figures of a ratio alike; then moto.
    results = {"lambdalite": {}, "ceiling": {}}
    cpu_before = cpu_times()
    s = Proc([binary, "--port", "0"], "lambdalite listening on ", env={"RUST_LOG": "warn"})
    c = None
    try:
        c = Proc([os.path.join(RELEASE, "ceiling"), "127.0.0.1:0"], "ceiling listening on ")
        has_layers = setup_lambdalite(s.host_port)
        for scenario in SCENARIOS:
            for who, server in (("lambdalite", s), ("ceiling", c)):
                log(f"{who}:")
                results[who].update(measure(server, [scenario], args.duration, args.warmup, has_layers,
                                            clean=who == "lambdalite"))
    finally:
        s.stop()
        if c:
            c.stop()
    # The table runs lambdalite with RUST_LOG=warn, as the ceiling logs nothing. Users run the default level, which
    # writes a line per request (to stderr; here /dev/null): GetPolicy once more at that level, for its cost.
    log("lambdalite at the default log level:")
    s = Proc([binary, "--port", "0"], "lambdalite listening on ")
    try:
        setup_lambdalite(s.host_port)
        default_log = measure(s, SCENARIOS[:1], args.duration, args.warmup)[SCENARIOS[0][0]]
    finally:
        s.stop()
    steal = steal_percent(cpu_before, cpu_times())

    # Durability: the scenarios that write, again with --state-dir (each write committed and fsynced before its
    # answer), to compare with the in-memory figures of this same run.
    durable = {}
    if not args.no_durable:
        log("lambdalite --state-dir:")
        state_dir = tempfile.mkdtemp(prefix="lambdalite-bench-state-", dir=args.state_parent)
        d = Proc([binary, "--port", "0", "--state-dir", state_dir], "lambdalite listening on ",
                 env={"RUST_LOG": "warn"})
        try:
            setup_lambdalite(d.host_port)
            durable = measure(d, SCENARIOS[1:], args.duration, args.warmup)
        finally:
            d.stop()
            shutil.rmtree(state_dir, ignore_errors=True)
    if args.moto:
        log("moto_server:")
        port = free_port()
        m = Proc(["moto_server", "-H", "127.0.0.1", "-p", str(port)], None)
        m.url = f"http://127.0.0.1:{port}"
        try:
            wait_http(m.host_port, "/moto-api/")
            setup_moto(m.host_port)
            results["moto"] = measure(m, SCENARIOS, args.duration, args.warmup, clean=False)
        finally:
            m.stop()

    rows = []
    for name, _ in SCENARIOS:
        ll, ce, mo = (results.get(k, {}).get(name) for k in ("lambdalite", "ceiling", "moto"))
        if not ll:
            rows.append([name, "n/a", "", "", "", "", "", "", ""])
            continue
        for who, r in (("lambdalite", ll), ("ceiling", ce), ("moto", mo)):
            if r and (r["non2xx"] or r["errors"]):
                failures.append(f"{who} / {name}: {r['non2xx']} non-2xx, {r['errors']} socket errors")
        rows.append([
            name, f"{ll['rps']:,.0f}", f"{ce['rps']:,.0f}", f"{100 * ll['rps'] / ce['rps']:.0f} %",
            f"{ll['p50']:.3f} / {ll['p99']:.3f}", f"{ce['p50']:.3f} / {ce['p99']:.3f}", f"{ll['cpu']:.0f} %",
            f"{ll['rss']:.1f}",
            f"{mo['rps']:,.0f} ({ll['rps'] / mo['rps']:.0f}×)" if mo else "not run",
        ])
    report.append(f"Throughput, {CONNECTIONS} keep-alive connections on {THREADS} wrk thread(s), {args.duration} s per "
                  f"scenario after {args.warmup} s warm-up; server on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}.\n")
    report.append(table(["scenario", "lambdalite req/s", "ceiling req/s", "ratio", "p50 / p99 ms",
                         "ceiling p50 / p99 ms", "CPU", "RSS MiB", "moto req/s (lambdalite ×)"], rows))
    if default_log["non2xx"] or default_log["errors"]:
        failures.append("GetPolicy at the default log level had non-2xx answers")
    get_name = SCENARIOS[0][0]
    get_ceiling = results["ceiling"][get_name]["rps"]
    report.append(f"\nAt the default log level (a request line each, to stderr): GetPolicy {default_log['rps']:,.0f} req/s, "
                  f"{100 * default_log['rps'] / get_ceiling:.0f} % of the ceiling, p50 / p99 "
                  f"{default_log['p50']:.3f} / {default_log['p99']:.3f} ms.")

    if durable:
        rows = []
        for name, _ in SCENARIOS[1:]:
            mem, dur = results["lambdalite"].get(name), durable.get(name)
            if not (mem and dur):
                continue
            if dur["non2xx"] or dur["errors"]:
                failures.append(f"--state-dir / {name}: {dur['non2xx']} non-2xx, {dur['errors']} socket errors")
            rows.append([name, f"{mem['rps']:,.0f}", f"{dur['rps']:,.0f}", f"{100 * dur['rps'] / mem['rps']:.0f} %",
                         f"{mem['p50']:.3f} / {mem['p99']:.3f}", f"{dur['p50']:.3f} / {dur['p99']:.3f}"])
        report.append(f"\nDurable writes: the same scenarios with --state-dir on {args.state_parent or tempfile.gettempdir()} "
                      f"(every write committed and fsynced before its answer; concurrent writes share commits).\n")
        report.append(table(["scenario", "in memory req/s", "--state-dir req/s", "ratio", "in memory p50 / p99 ms",
                             "--state-dir p50 / p99 ms"], rows))

    # Start-up and idle memory.
    runs = 5 if args.quick else 20
    start_ms, idle_rss = startup(binary, runs)
    report.append(f"\nStart-up (exec to first successful health answer, median of {runs}): {start_ms:.1f} ms; "
                  f"idle RSS {idle_rss:.1f} MiB.")

    # Memory and growth.
    log(f"memory and growth with {args.functions:,} functions ...")
    s = Proc([binary, "--port", "0"], "lambdalite listening on ", env={"RUST_LOG": "warn"})
    growth = []
    try:
        setup_lambdalite(s.host_port)
        create_function(s.host_port, "big")
        big_stmt_len = fill_policy(s.host_port, "big")
        grow_env = [("GetPolicy", {"BENCH_READS": "1", "BENCH_PAIRS": "0"}),
                    ("Add+Remove", {"BENCH_READS": "0"})]
        short = max(2, args.duration // 2)

        def growth_row(label):
            for op, env in grow_env:
                clean_policies(s.host_port)
                r = wrk(s.url, env, short)
                growth.append([label, op, f"{r['rps']:,.0f}", f"{r['p50']:.3f}", f"{r['p99']:.3f}"])

        growth_row("2 functions")
        load(s, "g1k", 1000, 0, create=True)
        growth_row("1,002 functions")
        rss_before = s.rss_kib()
        load(s, "mem", args.functions, 0, create=True)
        rss_functions = s.rss_kib()
        load(s, "mem", args.functions, 10, create=False)
        rss_statements = s.rss_kib()
        growth_row(f"{args.functions + 1002:,} functions")
        _, body = call(s.host_port, "GET", "/2015-03-31/functions/mem-1-0/policy")
        policy = json.loads(json.loads(body)["Policy"])
        stmt_json = statistics.mean(len(json.dumps(st, separators=(",", ":"))) for st in policy["Statement"])
        per_stmt = (rss_statements - rss_functions) * 1024 / (args.functions * 10)
        per_fn = (rss_functions - rss_before) * 1024 / args.functions
        clean_policies(s.host_port)
        small = wrk(s.url, {"BENCH_READS": "1", "BENCH_PAIRS": "0", "BENCH_TARGET": "bench"}, short)
        big = wrk(s.url, {"BENCH_READS": "1", "BENCH_PAIRS": "0", "BENCH_TARGET": "big"}, short)
        for r in (small, big):
            if r["non2xx"] or r["errors"]:
                failures.append("policy-size scenario had non-2xx answers")
    finally:
        s.stop()
    report.append(f"\nMemory: {args.functions:,} functions cost {per_fn:,.0f} B each; 10 statements each then cost "
                  f"{per_stmt:,.0f} B per statement against {stmt_json:.0f} B of statement JSON "
                  f"({per_stmt / stmt_json:.2f}×); RSS {rss_statements / 1024:,.0f} MiB in all.")
    report.append("\nGrowth (same server as it fills):\n")
    report.append(table(["state", "operation", "req/s", "p50 ms", "p99 ms"], growth))
    report.append(f"\nGetPolicy on a {big_stmt_len:,}-byte policy: {big['rps']:,.0f} req/s, p99 {big['p99']:.3f} ms; "
                  f"on the 10-statement policy: {small['rps']:,.0f} req/s, p99 {small['p99']:.3f} ms "
                  f"(large costs {small['rps'] / big['rps']:.2f}× the small).")
    report.append(f"\nOutside load: load average {load_before[0]:.2f} before the run; {steal:.1f} % of CPU time stolen "
                  f"by the VM host during the throughput scenarios. Either well above 0, or a CPU column well below "
                  f"100 % (a saturated server uses all of its core), means other work shared the CPUs and the req/s "
                  f"and p99 figures are low and noisy; bench/instr.py's instruction counts are not affected.")
    report.append("\nTargets (issue 5):\n")
    report.append(table(["target", "measured", "met"], targets(results, start_ms, idle_rss, per_stmt / stmt_json,
                                                                growth, small, big)))
    print("\n".join(report))
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        sys.exit(1)


def targets(results, start_ms, idle_rss, stmt_ratio, growth, small, big):
    """The issue's targets against this run's figures: rows of (target, measured, met)."""
    ll, ce, mo = (results.get(k, {}) for k in ("lambdalite", "ceiling", "moto"))
    rows = []

    def row(target, measured, ok):
        rows.append([target, measured, "yes" if ok else "NO"])

    get, pair, layer = SCENARIOS[0][0], SCENARIOS[1][0], SCENARIOS[2][0]
    ratio = {name: ll[name]["rps"] / ce[name]["rps"] for name in ll if name in ce}
    row("read ≥ 80 % of the ceiling", f"{100 * ratio[get]:.0f} %", ratio[get] >= 0.8)
    for name in (pair, layer):
        row(f"{name} ≥ 70 % of the ceiling", f"{100 * ratio[name]:.0f} %", ratio[name] >= 0.7)
    worst_p99 = max(r["p99"] for r in ll.values())
    row("p99 ≤ 1 ms at 16 connections (worst scenario)", f"{worst_p99:.2f} ms", worst_p99 <= 1.0)
    if mo:
        least = min(ll[name]["rps"] / mo[name]["rps"] for name in mo)
        row("≥ 100× moto (least scenario)", f"{least:.0f}×", least >= 100)
    else:
        row("≥ 100× moto", "not run (--moto)", False)
    row("start-up ≤ 10 ms", f"{start_ms:.1f} ms", start_ms <= 10)
    row("idle RSS ≤ 5 MiB", f"{idle_rss:.2f} MiB", idle_rss <= 5)
    row("memory per statement ≤ 2× its JSON", f"{stmt_ratio:.2f}×", stmt_ratio <= 2)
    adds = [float(r[3]) for r in growth if r[1] == "Add+Remove"]
    row("Add+Remove p50 flat from the fewest to the most functions", f"{adds[0]:.3f} → {adds[-1]:.3f} ms",
        adds[-1] <= 1.5 * adds[0])
    row("GetPolicy on a 20 KB policy within 2× of a small one", f"{small['rps'] / big['rps']:.2f}×",
        small["rps"] / big["rps"] <= 2)
    return rows


def fill_policy(hp, name):
    """Adds statements to `name` until the next one would pass 20 KB; returns the policy's size in bytes."""
    i = 0
    while True:
        status, body = call(hp, "POST", f"/2015-03-31/functions/{name}/policy", {
            "StatementId": f"fill-{i}", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
            "SourceAccount": "123456789012", "SourceArn": f"arn:aws:s3:::fill-bucket-{i}",
        }, expect=(201, 400))
        if status == 400:
            break
        i += 1
    _, body = call(hp, "GET", f"/2015-03-31/functions/{name}/policy")
    return len(json.loads(body)["Policy"].encode())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(hp, path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(hp, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{hp} did not answer")


if __name__ == "__main__":
    main()
