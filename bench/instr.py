#!/usr/bin/env python3
"""Instructions per request under valgrind's callgrind: a repeatable cost figure that, unlike wrk's req/s, does not
move when other work shares the machine. Use it to decide between two versions of a hot path.

Usage: python3 bench/instr.py [--bin target/release/lambdalite] [--ceiling target/release/ceiling] [-n 2000]
                              [--keep DIR]

For each scenario it starts the server under callgrind (pinned to CPU 0, as bench/run.py pins it), sets up the benchmark's state (function `bench` and layer
`bench` version 1 with 10 statements each), warms up, zeroes the counters (`callgrind_control -z`), sends N requests
over one keep-alive connection the way bench/lua/mix.lua does, dumps the counters (`callgrind_control -d`) and
divides. With --keep the dumps stay in DIR for `callgrind_annotate` (build with
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only for source lines).
"""

import argparse
import glob
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the benchmark's setup helpers)

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
FN = "/2015-03-31/functions/bench/policy"
LAYER = "/2018-10-31/layers/bench/versions/1/policy"
FN_ADD = '{"StatementId":"%s","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com","SourceArn":"arn:aws:s3:::bench-bucket"}'
LAYER_ADD = '{"StatementId":"%s","Action":"lambda:GetLayerVersion","Principal":"123456789012"}'


def requests(kind, n, tag):
    """(method, path, body) for `n` requests of scenario `kind` (a pair counts as two requests)."""
    out = []
    for i in range(n // 2 if kind != "get" else n):
        if kind == "get":
            out.append(("GET", FN, None))
        else:
            base, body = (FN, FN_ADD) if kind == "pair" else (LAYER, LAYER_ADD)
            sid = f"{tag}-{i}"
            out.append(("POST", base, body % sid))
            out.append(("DELETE", f"{base}/{sid}", None))
    return out


def drive(hp, reqs):
    conn = http.client.HTTPConnection(hp, timeout=600)
    for method, path, body in reqs:
        headers = {"Authorization": AUTH}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path} -> {r.status} {data[:200]!r}")
    conn.close()


def total_ir(path):
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def measure(binary, kind, n, outdir, is_ceiling):
    out = os.path.join(outdir, f"{os.path.basename(binary)}-{kind}.cg")
    for f in glob.glob(out + "*"):
        os.remove(f)
    argv = [binary, "127.0.0.1:0"] if is_ceiling else [binary, "--port", "0"]
    # Pinned to one CPU like the benchmark's server, so the runtime sizes itself the same way.
    proc = subprocess.Popen(["taskset", "-c", run.SERVER_CPU, "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "warn")))
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://(\S+)", line)
        if not m:
            raise RuntimeError(f"unexpected first line {line!r}")
        hp = m.group(1)
        if not is_ceiling:
            run.setup_lambdalite(hp)
        drive(hp, requests(kind, 200, "warm"))
        subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, capture_output=True)
        drive(hp, requests(kind, n, "run"))
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
        time.sleep(0.2)
        dumps = sorted(f for f in glob.glob(out + ".*") if re.search(r"\.\d+$", f))
        return total_ir(dumps[-1]) / n, dumps[-1]
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    root = run.ROOT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "lambdalite"))
    ap.add_argument("--ceiling", default=os.path.join(root, "target", "release", "ceiling"))
    ap.add_argument("-n", type=int, default=2000, help="measured requests per scenario")
    ap.add_argument("--keep", help="directory for the callgrind dumps (default: a temporary one, removed)")
    ap.add_argument("--only", choices=["get", "pair", "layer"], action="append")
    ap.add_argument("--no-ceiling", action="store_true")
    args = ap.parse_args()
    outdir = args.keep or tempfile.mkdtemp(prefix="lambdalite-instr-")
    os.makedirs(outdir, exist_ok=True)
    names = {"get": "GetPolicy (10 statements)", "pair": "AddPermission+RemovePermission (per request)",
             "layer": "AddLayerVersionPermission+Remove (per request)"}
    print("| scenario | lambdalite instr/request | ceiling instr/request |\n|---|---|---|")
    for kind in args.only or ["get", "pair", "layer"]:
        ours, dump = measure(args.bin, kind, args.n, outdir, False)
        ceil = "" if args.no_ceiling else f"{measure(args.ceiling, kind, args.n, outdir, True)[0]:,.0f}"
        print(f"| {names[kind]} | {ours:,.0f} | {ceil} |", flush=True)
        if args.keep:
            print(f"  dump: {dump}", file=sys.stderr)
    if not args.keep:
        subprocess.run(["rm", "-rf", outdir])


if __name__ == "__main__":
    main()
