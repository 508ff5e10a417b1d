-- wrk script for bench/vc_api_bench.py: POST a JSON body read from a file, closed loop, and
-- print the level's figures as one JSON line prefixed "wrk-result ".
--
--   wrk -t1 -cN -dS --timeout 60s -s bench/vc_api.lua URL -- PATH BODY_FILE [ID_PREFIX [TOKEN]]
--
-- With ID_PREFIX (24 characters of a UUID, "xxxxxxxx-xxxx-4xxx-8xxx-"), the first "@ID@" in
-- the body becomes ID_PREFIX followed by 12 hex digits unique to the request (2 for the
-- thread, 10 for a counter): every issued credential gets its own id. Without it the same
-- request is sent every time. With TOKEN, requests carry "Authorization: Bearer TOKEN".

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  local file = assert(io.open(args[2], "rb"))
  template = file:read("*a")
  file:close()
  prefix = args[3] ~= "" and args[3] or nil
  headers = {["Content-Type"] = "application/json"}
  if args[4] and args[4] ~= "" then
    headers["Authorization"] = "Bearer " .. args[4]
  end
  counter = 0
  fixed = nil
  if not prefix then
    fixed = wrk.format("POST", path, headers, template)
  end
end

function request()
  if fixed then
    return fixed
  end
  counter = counter + 1
  local id = string.format("%s%02x%010x", prefix, thread_number, counter)
  local body = template:gsub("@ID@", id, 1)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-result {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
