-- wrk script: DEPTH requests of the URL's path in one write, each time the
-- connection is ready for more (HTTP/1.1 pipelining, RFC 9112 9.3.2).
--   wrk -t1 -c4 -d2s -s tests/peers/pipeline.lua URL -- DEPTH
-- At the end it prints one line, "wrk-result requests=N connect=N read=N
-- write=N status=N timeout=N", for run.py to read.

local pipelined

init = function(args)
  local depth = tonumber(args[1]) or 10
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format(nil, nil)
  end
  pipelined = table.concat(requests)
end

request = function()
  return pipelined
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk-result requests=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
end
