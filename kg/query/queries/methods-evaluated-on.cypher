// Methods (or papers) evaluated on a dataset, the most supported first.
// param dataset: ImageNet
MATCH (d:Dataset)
WHERE toLower(d.name) = toLower($dataset)
   OR any(a IN d.aliases WHERE toLower(a) = toLower($dataset))
MATCH (m)-[e:EVALUATED_ON]->(d)
RETURN m.name AS name, labels(m)[0] AS type, e.support AS support, e.papers AS papers
ORDER BY support DESC, toLower(name), name
