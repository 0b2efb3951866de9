package io.verdict.inference.tensorflow;

import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.engine.EngineContract;
import io.verdict.inference.engine.InferenceEngine;

class TensorFlowEngineContractTest extends EngineContract {

    @Override
    protected InferenceEngine engine() {
        return new TensorFlowEngine();
    }

    @Override
    protected Format format() {
        return Format.SAVED_MODEL;
    }
}
