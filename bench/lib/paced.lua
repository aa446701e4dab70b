-- wrk script for the bench's paced latency (bench/lib/load.js, paced). Each connection waits a
-- random gap, exponentially distributed with mean PACED_GAP_MS, before each request (its first
-- one too), so the requests of all connections together arrive as a Poisson stream of about
-- connections * 1000 / gap per second. A fixed gap would keep the connections in step: they
-- would all send within a few milliseconds, then wait, and the figure would be the time a burst
-- takes to drain.
local gap = tonumber(os.getenv("PACED_GAP_MS"))
if gap == nil or gap <= 0 then
  error("PACED_GAP_MS must be a positive number of milliseconds")
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function delay()
  return math.floor(-gap * math.log(1 - math.random()))
end
