package io.verdict.inference.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.GuardedModel;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** An ONNX model loaded by {@link OnnxEngine}; see its javadoc for concurrency and determinism. */
final class OnnxModel extends GuardedModel {

    private final OrtEnvironment env;
    private final OrtSession session;

    OnnxModel(OrtEnvironment env, OrtSession session, ModelDigest digest, ModelSignature signature) {
        super(digest, signature);
        this.env = env;
        this.session = session;
    }

    @Override
    protected NamedTensors execute(NamedTensors inputs) {
        Map<String, OnnxTensor> fed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.asMap().entrySet()) {
                fed.put(e.getKey(), toOrt(e.getValue()));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(fed, signature().outputs().keySet())) {
                for (String key : signature().outputs().keySet()) {
                    OnnxValue value = result.get(key).orElseThrow(
                            () -> new EngineException("ONNX Runtime did not return output '" + key + "'", null));
                    if (!(value instanceof OnnxTensor tensor)) {
                        throw new EngineException("output '" + key + "' is not a tensor: " + value.getInfo(), null);
                    }
                    out.put(key, fromOrt(key, tensor));
                }
            }
            NamedTensors outputs = NamedTensors.of(out);
            signature().checkOutputs(outputs);
            return outputs;
        } catch (EngineException e) {
            throw e;
        } catch (OrtException | RuntimeException e) {
            throw new EngineException("ONNX Runtime failed to run model " + digest() + ": " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : fed.values()) {
                t.close();
            }
        }
    }

    /** A native tensor over a direct copy of the canonical little-endian bytes. */
    private OnnxTensor toOrt(Tensor t) throws OrtException {
        OnnxJavaType type = switch (t.dtype()) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case FLOAT64 -> OnnxJavaType.DOUBLE;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
        };
        ByteBuffer data = ByteBuffer.allocateDirect(t.byteLength()).order(ByteOrder.nativeOrder());
        data.put(t.buffer()).flip();
        return OnnxTensor.createTensor(env, data, t.shape().dims(), type);
    }

    private static Tensor fromOrt(String key, OnnxTensor t) {
        TensorInfo info = t.getInfo();
        DType dtype = OnnxEngine.dtypeOf(key, info.onnxType);
        Shape shape = Shape.of(info.getShape());
        ByteBuffer data = t.getByteBuffer();
        if (data == null) {
            throw new EngineException("output '" + key + "' has no readable data", null);
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return new Tensor(dtype, shape, bytes);
    }

    @Override
    protected void release() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime failed to close model " + digest() + ": " + e.getMessage(), e);
        }
    }
}
