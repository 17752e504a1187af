-- wrk script for lambdalite's benchmark scenarios, for any number of connections per thread (bench/run.py runs
-- wrk -t1 -c16: one event loop, so latency measures the server rather than load threads sharing one core).
--
-- A RemovePermission may only be sent once its AddPermission has been answered, and a thread's requests go out on
-- whichever of its connections is free. So the Sids whose add was answered queue up in response(), and a pair
-- step removes the oldest of them, or adds a new Sid when none is waiting. Each connection thus alternates add and
-- remove, adds and removes stay one to one, and a policy never holds more than a connection's worth of extra
-- statements.
--
-- BENCH_KIND    function | layer     which policy the add/remove pairs touch
-- BENCH_TARGET  function or layer name (layer version 1 is used)
-- BENCH_READS   GetPolicy reads per add/remove pair (0 = pairs only; 18 = a 90/10 mix)
-- BENCH_PAIRS   1 (default) or 0 for reads only

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

local kind = os.getenv("BENCH_KIND") or "function"
local target = os.getenv("BENCH_TARGET") or "bench"
local reads = tonumber(os.getenv("BENCH_READS") or "0")
local pairs_per_cycle = tonumber(os.getenv("BENCH_PAIRS") or "1")
local cycle = reads + 2 * pairs_per_cycle
-- Warm-up and measured runs are separate wrk processes: a per-process tag keeps their Sids apart, so a Sid left
-- behind at the end of one run cannot collide with the next.
local run_tag = os.getenv("BENCH_RUN") or tostring(os.time())
local n = 0
local added = 0
-- Sids whose AddPermission was answered and that are not removed yet, oldest first.
local ready, first, last = {}, 1, 0

local base, add_body
if kind == "layer" then
  base = "/2018-10-31/layers/" .. target .. "/versions/1/policy"
  add_body = '{"StatementId":"%s","Action":"lambda:GetLayerVersion","Principal":"123456789012"}'
else
  base = "/2015-03-31/functions/" .. target .. "/policy"
  add_body = '{"StatementId":"%s","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com","SourceArn":"arn:aws:s3:::bench-bucket"}'
end
-- Signed-looking requests, as SDKs send them: lambdalite reads account and region from the credential scope, and
-- moto_server needs it to route to its Lambda backend. Signatures are not checked.
local auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lambda/aws4_request, "
  .. "SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"
local json = { ["Content-Type"] = "application/json", ["Authorization"] = auth }
local get_headers = { ["Authorization"] = auth }

-- wrk calls request() once on its first thread to check the script, and throws that request away. The first call
-- of every thread therefore returns a request with no side effects, so no step of the sequence is lost.
local verified = false

function request()
  if not verified then
    verified = true
    return wrk.format("GET", base, get_headers)
  end
  local p = n % cycle
  n = n + 1
  if p < reads then
    return wrk.format("GET", base, get_headers)
  end
  if first <= last then
    local sid = ready[first]
    ready[first] = nil
    first = first + 1
    return wrk.format("DELETE", base .. "/" .. sid, get_headers)
  end
  added = added + 1
  return wrk.format("POST", base, json, string.format(add_body, run_tag .. "-t" .. id .. "-" .. added))
end

-- AddPermission's answer carries the statement, whose JSON is escaped in the body (201 `{"Statement":...` from
-- lambdalite; moto answers 200 and puts spaces after the colons). GetPolicy's answers (`{"Policy":...`) hold Sids
-- too, hence the check of the body's start. Defined only when there are pairs: wrk hands every response to Lua once
-- response() exists, which would slow the load generator on read-only runs.
if pairs_per_cycle > 0 then
  function response(status, headers, body)
    if status >= 200 and status < 300 and body:sub(1, 12) == '{"Statement"' then
      local sid = body:match('Sid\\":%s*\\"([^\\]+)')
      if sid then
        last = last + 1
        ready[last] = sid
      end
    end
  end
end
