-- wrk script: every request carries "Authorization: Bearer <value>" with a value picked from a file
-- (one per line) with a skewed distribution, so most requests reuse a few hot values and every
-- value is seen again: index = floor(n * r^3) for uniform r, so the first 1 % of the values get
-- about 22 % of the requests and the first 10 % about 46 %.
--   wrk -t2 -c50 -d15s --latency -s load-tests/mix.lua http://127.0.0.1:PORT/v1/verify -- FILE
local values = {}
local n = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      n = n + 1
      values[n] = line
    end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  local r = math.random()
  local i = math.floor(n * r * r * r) + 1
  if i > n then i = n end
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. values[i] })
end
