-- "My learning" as many different learners: one seeded token per request, in turn.
local tokens = {}
for line in io.lines(os.getenv("AGORA_TOKENS")) do
  tokens[#tokens + 1] = line:match("^(%S+)")
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/me/learning", { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
