package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputTensorsTest {

  @Test
  void namedTensorMapBecomesCanonicalTensorsInTheOrderWritten() {
    Map<String, Tensor> tensors = InputTensors.parse("""
        {"input": {"dtype": "FLOAT32", "shape": [1, 3], "data": [0.5, -1, 2.25]},
         "mask":  {"dtype": "BOOL", "shape": [3], "data": [true, false, 1]}}
        """);

    assertThat(tensors.keySet()).containsExactly("input", "mask");
    assertThat(tensors.get("input")).isEqualTo(Tensor.ofFloats(Shape.of(1, 3), 0.5f, -1f, 2.25f));
    assertThat(tensors.get("mask")).isEqualTo(Tensor.ofBools(Shape.of(3), true, false, true));
  }

  @Test
  void kserveStyleWithDatatypeNamesAndNestedData() {
    Map<String, Tensor> tensors = InputTensors.parse("""
        {"inputs": [{"name": "x", "datatype": "INT64", "shape": ["2", 2], "data": [[1, 2], [3, -4]]},
                    {"name": "y", "datatype": "FP64", "shape": [], "data": [1e-3]}]}
        """);

    assertThat(tensors.get("x")).isEqualTo(Tensor.ofLongs(Shape.of(2, 2), 1, 2, 3, -4));
    assertThat(tensors.get("y")).isEqualTo(Tensor.ofDoubles(Shape.SCALAR, 1e-3));
  }

  @Test
  void base64DataIsTheCanonicalLittleEndianBytes() {
    byte[] raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(-1).array();
    Map<String, Tensor> tensors = InputTensors.parse("{\"t\": {\"dtype\": \"INT32\", \"shape\": [2], "
        + "\"data\": \"" + Base64.getEncoder().encodeToString(raw) + "\"}}");

    assertThat(tensors.get("t").toInts()).containsExactly(7, -1);
    assertThat(tensors.get("t").dtype()).isEqualTo(DType.INT32);
  }

  @Test
  void nonFiniteFloatsAreAccepted() {
    Tensor t = InputTensors.parse(
        "{\"t\": {\"dtype\": \"FLOAT32\", \"shape\": [3], \"data\": [NaN, \"Infinity\", \"-Infinity\"]}}")
        .get("t");
    assertThat(t.toFloats()[0]).isNaN();
    assertThat(t.toFloats()[1]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(t.toFloats()[2]).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void unknownDtypeNamesTheTensorAndTheChoices() {
    assertUsageError("{\"input\": {\"dtype\": \"FLOAT16\", \"shape\": [1], \"data\": [1]}}",
        "input 'input': unknown dtype 'FLOAT16' (expected FLOAT32, FLOAT64, INT32, INT64 or BOOL)");
  }

  @Test
  void elementCountMustMatchTheShape() {
    assertUsageError("{\"input\": {\"dtype\": \"FLOAT32\", \"shape\": [1, 64], \"data\": [1, 2, 3]}}",
        "input 'input': shape [1,64] needs 64 elements, data has 3");
  }

  @Test
  void base64ByteLengthMustMatchShapeTimesElementSize() {
    String sixBytes = Base64.getEncoder().encodeToString(new byte[6]);
    assertUsageError("{\"x\": {\"dtype\": \"FLOAT32\", \"shape\": [2], \"data\": \"" + sixBytes + "\"}}",
        "input 'x': FLOAT32 [2] needs 8 data bytes (2 x 4), the base64 holds 6");
  }

  @Test
  void badShapesAndElementsAreNamed() {
    assertUsageError("{\"x\": {\"dtype\": \"INT32\", \"shape\": [-1], \"data\": []}}",
        "input 'x': shape [-1] must hold whole numbers >= 0");
    assertUsageError("{\"x\": {\"dtype\": \"INT32\", \"shape\": [2], \"data\": [1, 2.5]}}",
        "input 'x': element 1 is 2.5, not an INT32");
    assertUsageError("{\"x\": {\"dtype\": \"INT32\", \"shape\": [1], \"data\": [3000000000]}}",
        "input 'x': element 0 is 3000000000, not an INT32");
    assertUsageError("{\"x\": {\"dtype\": \"BOOL\", \"shape\": [1], \"data\": [2]}}",
        "input 'x': element 0 is 2, not a BOOL");
    assertUsageError("{\"x\": {\"dtype\": \"FLOAT64\", \"shape\": [1], \"data\": [\"one\"]}}",
        "input 'x': element 0 is \"one\", not a number");
    assertUsageError("{\"x\": {\"shape\": [1], \"data\": [1]}}", "input 'x' has no \"dtype\"");
    assertUsageError("{\"x\": {\"dtype\": \"INT32\", \"data\": [1]}}", "input 'x' has no \"shape\"");
    assertUsageError("{\"x\": {\"dtype\": \"INT32\", \"shape\": [1]}}", "input 'x' has no \"data\"");
  }

  @Test
  void documentLevelMistakes() {
    assertUsageError("{\"x\": [1, 2}", "the input is not valid JSON");
    assertUsageError("[1, 2]", "the input must be a JSON object of named tensors");
    assertUsageError("{}", "the input holds no tensors");
    assertUsageError("{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}",
        "inputs[0] has no \"name\"");
    assertUsageError("{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]},"
        + "{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [2]}]}",
        "input 'a' is given twice");
  }

  private static void assertUsageError(String json, String message) {
    assertThatThrownBy(() -> InputTensors.parse(json))
        .isInstanceOfSatisfying(CliException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining(message);
  }
}
