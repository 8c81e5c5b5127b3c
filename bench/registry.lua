-- wrk script for registry requests, configured through the environment:
--   BENCH_METHOD     GET | HEAD | PUT (default GET)
--   BENCH_PATH       request path; with BENCH_ROTATE=1 a counter is appended (PUT to new tags)
--   BENCH_BODY_FILE  file whose bytes are the request body
--   BENCH_HEADERS    "Name: value" lines separated by "|"
-- done() prints one line "BENCH {json}" with the counts and latency percentiles (microseconds).

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/v2/"
local rotate = os.getenv("BENCH_ROTATE") == "1"
local body = nil
local headers = {}
local counter = 0
thread_id = 0  -- set per thread by setup()
local next_thread = 0

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
end

for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = string.match(line, "^%s*([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

local fixed = nil

function request()
  if rotate then
    counter = counter + 1
    return wrk.format(method, path .. thread_id .. "-" .. counter, headers, body)
  end
  if fixed == nil then fixed = wrk.format(method, path, headers, body) end
  return fixed
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
