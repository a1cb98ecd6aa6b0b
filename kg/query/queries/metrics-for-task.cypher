// Metrics that methods addressing a task are measured by, by number of papers.
// param task: image classification
MATCH (t:Task)
WHERE toLower(t.name) = toLower($task)
   OR any(a IN t.aliases WHERE toLower(a) = toLower($task))
MATCH (h)-[:ADDRESSES]->(t)
MATCH (h)-[e:MEASURED_BY]->(k:Metric)
UNWIND e.papers AS paper
WITH k, collect(DISTINCT paper) AS papers
RETURN k.name AS name, 'Metric' AS type, size(papers) AS support
ORDER BY support DESC, toLower(name), name
