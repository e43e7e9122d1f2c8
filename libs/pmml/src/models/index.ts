import { compileAnomalyDetectionModel } from './anomaly-detection-model';
import { compileAssociationModel } from './association-model';
import { compileClusteringModel } from './clustering-model';
import { compileGeneralRegressionModel } from './general-regression-model';
import { compileMiningModel } from './mining-model';
import { compileNaiveBayesModel } from './naive-bayes-model';
import { compileNearestNeighborModel } from './nearest-neighbor-model';
import { MODEL_COMPILERS } from './model-compiler';
import { compileNeuralNetwork } from './neural-network';
import { compileRegressionModel } from './regression-model';
import { compileRuleSetModel } from './rule-set-model';
import { compileScorecard } from './scorecard';
import { compileSupportVectorMachineModel } from './support-vector-machine-model';
import { compileTreeModel } from './tree-model';

/** Registers every supported model type (kept here so model-compiler.ts has no import cycle). */
MODEL_COMPILERS.set('RegressionModel', compileRegressionModel);
MODEL_COMPILERS.set('TreeModel', compileTreeModel);
MODEL_COMPILERS.set('GeneralRegressionModel', compileGeneralRegressionModel);
MODEL_COMPILERS.set('NeuralNetwork', compileNeuralNetwork);
MODEL_COMPILERS.set('MiningModel', compileMiningModel);
MODEL_COMPILERS.set('NaiveBayesModel', compileNaiveBayesModel);
MODEL_COMPILERS.set('ClusteringModel', compileClusteringModel);
MODEL_COMPILERS.set('SupportVectorMachineModel', compileSupportVectorMachineModel);
MODEL_COMPILERS.set('RuleSetModel', compileRuleSetModel);
MODEL_COMPILERS.set('Scorecard', compileScorecard);
MODEL_COMPILERS.set('AssociationModel', compileAssociationModel);
MODEL_COMPILERS.set('NearestNeighborModel', compileNearestNeighborModel);
MODEL_COMPILERS.set('AnomalyDetectionModel', compileAnomalyDetectionModel);

export { compileModel, MODEL_COMPILERS, PMML_MODEL_ELEMENTS } from './model-compiler';
export type { CompiledModel, ModelResult, TargetInfo, MiningFunction } from './model';
