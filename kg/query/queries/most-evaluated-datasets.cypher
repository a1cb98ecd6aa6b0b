// The datasets the most papers evaluate on, with how many methods are evaluated there.
// param limit: 10
MATCH (x)-[e:EVALUATED_ON]->(d:Dataset)
UNWIND e.papers AS paper
WITH d, count(DISTINCT paper) AS papers, count(DISTINCT x) AS evaluated
RETURN d.name AS name, papers, evaluated
ORDER BY papers DESC, evaluated DESC, toLower(name), name
LIMIT $limit
