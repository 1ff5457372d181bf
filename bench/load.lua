-- wrk script for bench/load.sh: counts answers by status code in every
-- thread and prints one machine-readable line at the end:
--   BENCH requests=N duration_s=S rps=R p50_ms=.. p75_ms=.. p90_ms=.. p99_ms=..
--         max_ms=.. non2xx3xx=N connect=N read=N write=N timeout=N statuses=200:N,503:N
-- (wrk's own report is printed above it as usual.)

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts, codes = {}, {}
   for _, thread in ipairs(threads) do
      local s = thread:get("statuses") or {}
      for code, n in pairs(s) do
         if counts[code] == nil then table.insert(codes, code) end
         counts[code] = (counts[code] or 0) + n
      end
   end
   table.sort(codes)
   local parts, non_ok = {}, 0
   for _, code in ipairs(codes) do
      table.insert(parts, code .. ":" .. counts[code])
      if code < 200 or code > 399 then non_ok = non_ok + counts[code] end
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p75_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx3xx=%d connect=%d read=%d write=%d timeout=%d statuses=%s\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(75) / 1000,
      latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000,
      math.max(non_ok, e.status), e.connect, e.read, e.write, e.timeout,
      (#parts > 0) and table.concat(parts, ",") or "none"))
end
