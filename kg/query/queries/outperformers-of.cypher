// What the papers say outperforms a method, the most supported first.
// param method: ResNet
MATCH (x:Method)
WHERE toLower(x.name) = toLower($method)
   OR any(a IN x.aliases WHERE toLower(a) = toLower($method))
MATCH (m)-[e:OUTPERFORMS]->(x)
RETURN m.name AS name, labels(m)[0] AS type, e.support AS support, e.papers AS papers
ORDER BY support DESC, toLower(name), name
