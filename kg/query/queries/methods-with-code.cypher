// Methods whose proposing paper links to code, with the repositories.
MATCH (p:Paper)-[:PROPOSES]->(m:Method)
MATCH (p)-[:HAS_CODE]->(r:Repository)
RETURN DISTINCT m.name AS method, r.name AS repository
ORDER BY toLower(method), method, repository
