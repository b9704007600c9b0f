-- A mix of catalogue searches, as learners type them: words in three
-- languages, synonyms, typos, prefixes, filters, facets and later pages.
local paths = {
  "/api/v1/search?q=disaster+risk&lang=es",
  "/api/v1/search?q=resilence",
  "/api/v1/search?q=loca",
  "/api/v1/search?q=VLR",
  "/api/v1/search?q=climate+adaptation&lang=fr",
  "/api/v1/search?q=gestion+de+l%27eau&lang=fr",
  "/api/v1/search?q=riesgo+de+desastres&lang=es",
  "/api/v1/search?sdg=11&level=beginner",
  "/api/v1/search?q=early+warning&duration=1_3h",
  "/api/v1/search?q=urban&page=2",
  "/api/v1/search?q=water&language=es&facets=sdg,level",
  "/api/v1/search?q=SDG+indicators",
  "/api/v1/search?q=participation+citoyenne&lang=fr",
  "/api/v1/search?q=heat+waves&sendai=1",
  "/api/v1/search?q=housing",
  "/api/v1/search?q=publc+transprot",
  "/api/v1/search?q=objetivos+de+desarrollo+sostenible&lang=es&per_page=10",
  "/api/v1/search?q=budget&level=advanced&lang=fr",
  "/api/v1/search?q=open+data&page=3",
  "/api/v1/search?q=food+sec",
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
