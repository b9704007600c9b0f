-- "Complete a lesson": seeded learners complete lessons of their course, in turn.
local learners = {}
for line in io.lines(os.getenv("AGORA_TOKENS")) do
  local token, slug, keys = line:match("^(%S+) (%S+) (%S+)")
  local lessons = {}
  for k in keys:gmatch("[^,]+") do lessons[#lessons + 1] = k end
  learners[#learners + 1] = { token = token, slug = slug, lessons = lessons }
end
local i = 0
request = function()
  i = i + 1
  local l = learners[(i % #learners) + 1]
  local key = l.lessons[(math.floor(i / #learners) % #l.lessons) + 1]
  return wrk.format("POST", "/api/v1/courses/" .. l.slug .. "/lessons/" .. key .. "/completion",
    { ["Authorization"] = "Bearer " .. l.token, ["Content-Length"] = "0" })
end
