-- wrk script for the bench's paced latency (bench/lib/load.js, paced): every connection waits
-- PACED_GAP_MS between the answer to one request and the sending of the next, so that N
-- connections send about N * 1000 / gap requests a second in all.
local gap = tonumber(os.getenv("PACED_GAP_MS"))

function delay()
  return gap
end
