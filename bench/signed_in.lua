-- Signed-in reads as many learners, in turn. Set by bench/all:
--   AGORA_TOKENS  lines of "token course-slug lesson-key,lesson-key,…" (from `agora seed --tokens-out`);
--   AGORA_PATH    the path, where {slug} and {key} become the learner's course and one of its lessons;
--   AGORA_AUTH    "cookie" (web pages: the session cookie) or "bearer" (the API).
local learners = {}
for line in io.lines(os.getenv("AGORA_TOKENS")) do
  local token, slug, keys = line:match("^(%S+) (%S+) (%S+)")
  local lessons = {}
  for k in keys:gmatch("[^,]+") do lessons[#lessons + 1] = k end
  learners[#learners + 1] = { token = token, slug = slug, lessons = lessons }
end
local template = os.getenv("AGORA_PATH")
local cookie = os.getenv("AGORA_AUTH") == "cookie"
local i = 0
request = function()
  i = i + 1
  local l = learners[(i % #learners) + 1]
  local key = l.lessons[(math.floor(i / #learners) % #l.lessons) + 1]
  local path = template:gsub("{slug}", l.slug):gsub("{key}", key)
  local headers
  if cookie then
    headers = { ["Cookie"] = "agora_session=" .. l.token }
  else
    headers = { ["Authorization"] = "Bearer " .. l.token }
  end
  return wrk.format("GET", path, headers)
end
