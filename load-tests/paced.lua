-- wrk script: the token mix of mix.lua, paced. Each connection waits PACE_MS (default 1) after
-- every answer before its next request, so C connections offer a bit under C × 1000 / PACE_MS
-- requests/s: a fixed rate below the maximum, for latency at part load. wrk is light enough to
-- leave the server's latency visible where hey, on the same core, sets a floor of its own.
--   wrk -t1 -c32 -d15s --latency -s load-tests/paced.lua http://127.0.0.1:PORT/v1/verify -- FILE [PACE_MS]
dofile("load-tests/mix.lua")

local pace = 1
local mix_init = init

function init(args)
  mix_init(args)
  if args[2] then pace = tonumber(args[2]) end
end

-- Defined when the script loads: wrk checks for it before it calls init.
function delay()
  return pace
end
