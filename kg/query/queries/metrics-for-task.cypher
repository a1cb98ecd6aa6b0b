// Metrics that methods addressing a task are measured by, by number of papers
// that state both edges.
// param task: image classification
MATCH (t:Task)
WHERE toLower(t.name) = toLower($task)
   OR any(a IN t.aliases WHERE toLower(a) = toLower($task))
MATCH (h)-[addr:ADDRESSES]->(t)
MATCH (h)-[e:MEASURED_BY]->(k:Metric)
UNWIND e.papers AS paper
WITH k, paper, addr
WHERE paper IN addr.papers
WITH k, collect(DISTINCT paper) AS papers
RETURN k.name AS name, 'Metric' AS type, size(papers) AS support
ORDER BY support DESC, toLower(name), name
