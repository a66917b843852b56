-- wrk script of load.py: request the URL paths of a file (one a line) in turn, each thread from
-- its own offset; count answers by class; print one JSON line with the latency percentiles.
-- Usage: wrk -c C -t T -d 20s --timeout 30s -s mix.lua http://127.0.0.1:PORT -- PATHS_FILE

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  turn = number * 7
  client_errors, others = 0, 0
end

function request()
  turn = turn + 1
  return wrk.format("GET", paths[turn % #paths + 1])
end

function response(status, headers, body)
  if status >= 400 and status < 500 then
    client_errors = client_errors + 1
  elseif status < 200 or status >= 300 then
    others = others + 1
  end
end

function done(summary, latency, requests)
  local counts = {client_errors = 0, others = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do counts[name] = counts[name] + thread:get(name) end
  end
  local errors = summary.errors
  local percentiles = {}
  for i = 1, 1000 do percentiles[i] = string.format("%d", latency:percentile(i / 10)) end
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "client_errors": %d, "others": %d, ' ..
    '"socket_errors": %d, "percentiles_us": [%s]}\n',
    summary.requests, summary.duration / 1e6, counts.client_errors, counts.others,
    errors.connect + errors.read + errors.write + errors.timeout,
    table.concat(percentiles, ", ")))
end
