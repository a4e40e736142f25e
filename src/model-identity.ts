/**
 * What names a trained model wherever it travels: its card (model.json), its ONNX file's metadata,
 * its (:Model) node in Neo4j and the API's Model type. One definition, so the places cannot drift.
 * Depends on nothing: the store, the model core and the API all read it.
 */

/** 'graph': one verdict per run (mean pooling); 'node': one per job. */
export type ModelLevel = 'graph' | 'node';

/** 'binary': normal or anomalous; 'multiclass': normal or one of the anomaly categories. */
export type ModelTask = 'binary' | 'multiclass';

export interface ModelIdentity {
  name: string;
  version: string;
  /** The workflow it was trained on, or 'ALL'. */
  workflow: string;
  level: ModelLevel;
  task: ModelTask;
  /** Output classes, in the order of the model's scores. */
  classes: string[];
}
