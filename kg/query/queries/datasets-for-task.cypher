// Datasets that methods addressing a task are evaluated on, by number of papers
// that state both edges.
// param task: image classification
MATCH (t:Task)
WHERE toLower(t.name) = toLower($task)
   OR any(a IN t.aliases WHERE toLower(a) = toLower($task))
MATCH (h)-[addr:ADDRESSES]->(t)
MATCH (h)-[e:EVALUATED_ON]->(d:Dataset)
UNWIND e.papers AS paper
WITH d, paper, addr
WHERE paper IN addr.papers
WITH d, collect(DISTINCT paper) AS papers
RETURN d.name AS name, 'Dataset' AS type, size(papers) AS support
ORDER BY support DESC, toLower(name), name
