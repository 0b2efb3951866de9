package io.verdict.inference.onnx;

import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.engine.EngineContract;
import io.verdict.inference.engine.InferenceEngine;

class OnnxEngineContractTest extends EngineContract {

    @Override
    protected InferenceEngine engine() {
        return new OnnxEngine();
    }

    @Override
    protected Format format() {
        return Format.ONNX;
    }
}
