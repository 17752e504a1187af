-- wrk script that loads BENCH_FUNCTIONS functions with BENCH_STATEMENTS statements each, split across threads
-- (one connection per thread), then stops. Used to measure memory per stored statement.

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  thread:set("nthreads", 0)
end

local total = tonumber(os.getenv("BENCH_FUNCTIONS") or "1000")
local per_fn = tonumber(os.getenv("BENCH_STATEMENTS") or "10")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local zip = os.getenv("BENCH_ZIP_B64")
local create = (os.getenv("BENCH_CREATE") or "1") == "1"
local prefix = os.getenv("BENCH_PREFIX") or "load"
-- Signed-looking requests, as SDKs send them: lambdalite reads account and region from the credential scope, and
-- moto_server needs it to route to its Lambda backend. Signatures are not checked.
local auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lambda/aws4_request, "
  .. "SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"
local json = { ["Content-Type"] = "application/json", ["Authorization"] = auth }
local get_headers = { ["Authorization"] = auth }
local n = 0
local quota = nil
local answered = 0

local per_cycle = per_fn + (create and 1 or 0)

function init(args)
  quota = math.floor(total / threads) * per_cycle
end

-- wrk calls request() once on its first thread to check the script, and throws that request away. The first call
-- of every thread therefore returns a request with no side effects, so no step of the sequence is lost.
local verified = false

function request()
  if not verified then
    verified = true
    return wrk.format("GET", "/_lambdalite/health")
  end
  local fn_index = math.floor(n / per_cycle)
  -- step 0 creates the function (when creating); the others add statement `step`.
  local step = n % per_cycle + (create and 0 or 1)
  n = n + 1
  if n > quota then
    return wrk.format("GET", "/_lambdalite/health")
  end
  local name = prefix .. "-" .. id .. "-" .. fn_index
  if step == 0 then
    return wrk.format("POST", "/2015-03-31/functions", json, string.format(
      '{"FunctionName":"%s","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"index.handler","Code":{"ZipFile":"%s"}}',
      name, zip))
  end
  return wrk.format("POST", "/2015-03-31/functions/" .. name .. "/policy", json, string.format(
    '{"StatementId":"sid-%d","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com","SourceAccount":"123456789012","SourceArn":"arn:aws:s3:::bucket-%d"}',
    step, step))
end

-- wrk only ends when its duration is up, so each thread drops a marker file when its quota is answered and the
-- driver interrupts wrk (SIGINT makes it print its summary) once every thread has.
local done_dir = os.getenv("BENCH_DONE_DIR")

function response(status, headers, body)
  answered = answered + 1
  if answered == quota + (id == 1 and 0 or 1) then
    local f = io.open(done_dir .. "/done-" .. id, "w")
    f:write("done")
    f:close()
    wrk.thread:stop()
  end
end
