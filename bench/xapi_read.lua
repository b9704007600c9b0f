-- The read of bench/xapi under wrk: "the latest 100 statements of one
-- learner", a random learner of LEARNERS each request, with the client's
-- Basic credentials (XAPI_AUTH, already base64) and the xAPI version header.
-- A compiled client, so the client's own time stays out of the latency.
local learners = tonumber(os.getenv("LEARNERS") or "50000")
local auth = os.getenv("XAPI_AUTH")
local home = os.getenv("XAPI_HOME") or "https://agora.example/"

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local headers = {
  ["Authorization"] = "Basic " .. auth,
  ["X-Experience-API-Version"] = "1.0.3",
}

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)
end

init = function()
  math.randomseed(os.time() * 1000 + (seed or 0))
end

request = function()
  local agent = string.format(
    '{"account":{"homePage":"%s","name":"%d"}}', home, math.random(0, learners - 1))
  return wrk.format("GET", "/xapi/statements?limit=100&agent=" .. encode(agent), headers)
end

-- A learner with no statement, or an error, would make the figure a lie
-- (counted in each thread's state, summed in done).
empty, failed = 0, 0
response = function(status, _, body)
  if status ~= 200 then
    failed = failed + 1
  elseif not body:find('"statements":%[{') then
    empty = empty + 1
  end
end

done = function(summary, latency, _)
  local no_rows, bad = 0, 0
  for _, t in ipairs(threads) do
    no_rows = no_rows + t:get("empty")
    bad = bad + t:get("failed")
  end
  local ms = function(us) return us / 1000 end
  io.write(string.format(
    "   %d requests, %.0f req/s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %d socket errors, %d non-200, %d empty pages\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency.max), summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, bad, no_rows))
end
