-- wrk script for lambdalite's benchmark scenarios. Run with one connection per thread (-t N -c N) so that each
-- thread's AddPermission and RemovePermission of the same Sid are strictly ordered and every request succeeds.
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
-- Warm-up and measured runs are separate wrk processes: a per-process tag keeps their Sids apart, so a pair cut
-- short at the end of one run cannot collide with the next.
local run_tag = os.getenv("BENCH_RUN") or tostring(os.time())
local n = 0

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
  local sid = run_tag .. "-t" .. id .. "-" .. math.floor(n / cycle)
  n = n + 1
  if p < reads then
    return wrk.format("GET", base, get_headers)
  elseif p == reads then
    return wrk.format("POST", base, json, string.format(add_body, sid))
  else
    return wrk.format("DELETE", base .. "/" .. sid, get_headers)
  end
end
