// Neo4j 5 schema for kg's graph: every node has a unique `key` within its label.
// `kg load neo4j` runs these itself (kg.sinks.cypher.NEO4J5.constraints); run them by
// hand after a bulk import with `neo4j-admin database import full`, e.g.
//   cypher-shell -u neo4j -p ... -f schemas/constraints.cypher
// (FalkorDB has no such DDL: kg creates an index and a GRAPH.CONSTRAINT per label instead.)
CREATE CONSTRAINT kg_Paper_key IF NOT EXISTS FOR (n:`Paper`) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT kg_Method_key IF NOT EXISTS FOR (n:`Method`) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT kg_Dataset_key IF NOT EXISTS FOR (n:`Dataset`) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT kg_Task_key IF NOT EXISTS FOR (n:`Task`) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT kg_Metric_key IF NOT EXISTS FOR (n:`Metric`) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT kg_Repository_key IF NOT EXISTS FOR (n:`Repository`) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT kg_Result_key IF NOT EXISTS FOR (n:`Result`) REQUIRE n.key IS UNIQUE;
