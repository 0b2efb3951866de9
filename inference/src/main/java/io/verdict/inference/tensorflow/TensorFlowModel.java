package io.verdict.inference.tensorflow;

import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.GuardedModel;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/** A SavedModel loaded by {@link TensorFlowEngine}; see its javadoc for concurrency and determinism. */
final class TensorFlowModel extends GuardedModel {

    private final SavedModelBundle bundle;
    /** Signature input/output key → graph tensor name ("op:index"). */
    private final Map<String, String> feedNames = new LinkedHashMap<>();
    private final List<String> outputKeys = new ArrayList<>();
    private final List<String> fetchNames = new ArrayList<>();

    TensorFlowModel(SavedModelBundle bundle, ModelDigest digest, ModelSignature signature, Signature tfSignature) {
        super(digest, signature);
        this.bundle = bundle;
        tfSignature.getInputs().forEach((key, d) -> feedNames.put(key, d.name));
        signature.outputs().keySet().forEach(key -> {
            outputKeys.add(key);
            fetchNames.add(tfSignature.getOutputs().get(key).name);
        });
    }

    @Override
    protected NamedTensors execute(NamedTensors inputs) {
        List<org.tensorflow.Tensor> fed = new ArrayList<>(inputs.size());
        try {
            Session.Runner runner = bundle.session().runner();
            for (Map.Entry<String, Tensor> e : inputs.asMap().entrySet()) {
                org.tensorflow.Tensor t = toTf(e.getValue());
                fed.add(t);
                runner.feed(feedNames.get(e.getKey()), t);
            }
            fetchNames.forEach(runner::fetch);
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (Result result = runner.run()) {
                for (int i = 0; i < outputKeys.size(); i++) {
                    out.put(outputKeys.get(i), fromTf(outputKeys.get(i), result.get(i)));
                }
            }
            NamedTensors outputs = NamedTensors.of(out);
            signature().checkOutputs(outputs);
            return outputs;
        } catch (EngineException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EngineException("TensorFlow failed to run model " + digest() + ": " + e.getMessage(), e);
        } finally {
            for (org.tensorflow.Tensor t : fed) {
                t.close();
            }
        }
    }

    private static org.tensorflow.Tensor toTf(Tensor t) {
        Class<? extends TType> type = switch (t.dtype()) {
            case FLOAT32 -> TFloat32.class;
            case FLOAT64 -> TFloat64.class;
            case INT32 -> TInt32.class;
            case INT64 -> TInt64.class;
            case BOOL -> TBool.class;
        };
        ByteDataBuffer raw = DataBuffers.of(t.data(), true, false);
        return org.tensorflow.Tensor.of(type, org.tensorflow.ndarray.Shape.of(t.shape().dims()), raw);
    }

    private static Tensor fromTf(String key, org.tensorflow.Tensor t) {
        DType dtype = TensorFlowEngine.dtypeOf(key, t.dataType());
        long numBytes = t.numBytes();
        if (numBytes > Integer.MAX_VALUE - 8) {
            throw new EngineException("output '" + key + "' is too large: " + numBytes + " bytes", null);
        }
        byte[] bytes = new byte[(int) numBytes];
        t.asRawTensor().data().read(bytes);
        return new Tensor(dtype, Shape.of(t.shape().asArray()), bytes);
    }

    @Override
    protected void release() {
        bundle.close();
    }
}
