// 003: model registry and predictions (shared contract). A model by "<name>@<version>"; a prediction
// by "<run id>|<model id>" (graph level) or "<job id>|<model id>" (job level), so re-scoring with
// the same model version replaces a prediction and never duplicates it.
CREATE CONSTRAINT model_id IF NOT EXISTS FOR (m:Model) REQUIRE m.id IS UNIQUE;
CREATE CONSTRAINT prediction_id IF NOT EXISTS FOR (p:Prediction) REQUIRE p.id IS UNIQUE;
