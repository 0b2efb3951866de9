package io.verdict.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.InvalidTensor;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the input tensors of {@code verdict infer} from JSON, in either of two shapes:
 *
 * <pre>
 * {"input": {"dtype": "FLOAT32", "shape": [1, 64], "data": [0.1, 0.2, ...]}}
 * {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 64], "data": [...]}]}
 * </pre>
 *
 * The first maps tensor names to tensors; the second is the KServe V2 JSON style. {@code data} is
 * a flat or nested array of elements in row-major order, or a string holding the base64 of the
 * canonical little-endian bytes. Every problem is reported as a {@link CliException} naming the
 * tensor and what is wrong with it.
 */
public final class InputTensors {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private InputTensors() {}

  /** The named tensors of {@code json}, in the order written. */
  public static Map<String, Tensor> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw CliException.usage("the input is not valid JSON: " + e.getOriginalMessage()
          + locationOf(e));
    }
    if (root == null || !root.isObject()) {
      throw CliException.usage("the input must be a JSON object of named tensors, such as "
          + "{\"input\": {\"dtype\": \"FLOAT32\", \"shape\": [1, 2], \"data\": [0.5, 1]}}");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    if (root.size() == 1 && root.has("inputs") && root.get("inputs").isArray()) {
      int i = 0;
      for (JsonNode entry : root.get("inputs")) {
        String where = "inputs[" + i++ + "]";
        if (!entry.isObject()) {
          throw CliException.usage(where + " must be an object with name, datatype, shape, data");
        }
        JsonNode name = entry.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
          throw CliException.usage(where + " has no \"name\"");
        }
        put(tensors, name.asText(), tensor(name.asText(), entry));
      }
    } else {
      Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getValue().isObject()) {
          throw CliException.usage("input '" + field.getKey()
              + "' must be an object with dtype, shape and data");
        }
        put(tensors, field.getKey(), tensor(field.getKey(), field.getValue()));
      }
    }
    if (tensors.isEmpty()) {
      throw CliException.usage("the input holds no tensors");
    }
    return tensors;
  }

  private static void put(Map<String, Tensor> tensors, String name, Tensor tensor) {
    if (tensors.put(name, tensor) != null) {
      throw CliException.usage("input '" + name + "' is given twice");
    }
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  /** Parses an element type: the canonical names and the KServe ones (FP32, FP64). */
  public static DType dtype(String text) {
    switch (text.toUpperCase(Locale.ROOT)) {
      case "FLOAT32", "FP32", "FLOAT":
        return DType.FLOAT32;
      case "FLOAT64", "FP64", "DOUBLE":
        return DType.FLOAT64;
      case "INT32":
        return DType.INT32;
      case "INT64":
        return DType.INT64;
      case "BOOL":
        return DType.BOOL;
      default:
        throw new IllegalArgumentException("unknown dtype '" + text
            + "' (expected FLOAT32, FLOAT64, INT32, INT64 or BOOL)");
    }
  }

  private static Tensor tensor(String name, JsonNode node) {
    String where = "input '" + name + "'";
    JsonNode dtypeNode = node.has("dtype") ? node.get("dtype") : node.get("datatype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw CliException.usage(where + " has no \"dtype\" (FLOAT32, FLOAT64, INT32, INT64, BOOL)");
    }
    DType dtype;
    try {
      dtype = dtype(dtypeNode.asText());
    } catch (IllegalArgumentException e) {
      throw CliException.usage(where + ": " + e.getMessage());
    }
    long[] dims = shape(where, node.get("shape"));
    long count = 1;
    for (long d : dims) {
      count = d == 0 ? 0 : count > Integer.MAX_VALUE / d ? Integer.MAX_VALUE : count * d;
    }
    if (count > Integer.MAX_VALUE / dtype.size()) {
      throw CliException.usage(where + ": shape " + shapeText(dims) + " is too large");
    }
    JsonNode data = node.get("data");
    byte[] bytes;
    if (data == null) {
      throw CliException.usage(where + " has no \"data\"");
    } else if (data.isTextual()) {
      try {
        bytes = Base64.getDecoder().decode(data.asText());
      } catch (IllegalArgumentException e) {
        throw CliException.usage(where + ": data is a string but not base64: " + e.getMessage());
      }
      long expected = count * dtype.size();
      if (bytes.length != expected) {
        throw CliException.usage(where + ": " + dtype + " " + shapeText(dims) + " needs "
            + expected + " data bytes (" + count + " x " + dtype.size() + "), the base64 holds "
            + bytes.length);
      }
    } else if (data.isArray()) {
      List<JsonNode> elements = new ArrayList<>();
      flatten(data, elements);
      if (elements.size() != count) {
        throw CliException.usage(where + ": shape " + shapeText(dims) + " needs " + count
            + " elements, data has " + elements.size());
      }
      bytes = encode(where, dtype, elements);
    } else {
      throw CliException.usage(where + ": data must be an array of numbers or a base64 string");
    }
    try {
      return new Tensor(dtype, Shape.of(dims), bytes);
    } catch (InvalidTensor e) {
      throw CliException.usage(where + ": " + e.getMessage());
    }
  }

  private static long[] shape(String where, JsonNode node) {
    if (node == null || !node.isArray()) {
      throw CliException.usage(where + " has no \"shape\" (an array of dimensions, [] for a scalar)");
    }
    long[] dims = new long[node.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = node.get(i);
      if (d.isTextual() && d.asText().matches("\\d{1,18}")) {
        dims[i] = Long.parseLong(d.asText()); // KServe JSON may write int64 as strings
      } else if (d.isIntegralNumber() && d.canConvertToLong() && d.asLong() >= 0) {
        dims[i] = d.asLong();
      } else {
        throw CliException.usage(where + ": shape " + node + " must hold whole numbers >= 0");
      }
    }
    return dims;
  }

  private static void flatten(JsonNode node, List<JsonNode> out) {
    for (JsonNode e : node) {
      if (e.isArray()) {
        flatten(e, out);
      } else {
        out.add(e);
      }
    }
  }

  private static byte[] encode(String where, DType dtype, List<JsonNode> elements) {
    ByteBuffer buf = ByteBuffer.allocate(elements.size() * dtype.size())
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < elements.size(); i++) {
      JsonNode e = elements.get(i);
      switch (dtype) {
        case FLOAT32 -> buf.putFloat((float) floating(where, i, e));
        case FLOAT64 -> buf.putDouble(floating(where, i, e));
        case INT32 -> {
          if (!e.isIntegralNumber() || !e.canConvertToInt()) {
            throw badElement(where, i, e, "an INT32 (a whole number in -2^31..2^31-1)");
          }
          buf.putInt(e.asInt());
        }
        case INT64 -> {
          if (!e.isIntegralNumber() || !e.canConvertToLong()) {
            throw badElement(where, i, e, "an INT64 (a whole number in -2^63..2^63-1)");
          }
          buf.putLong(e.asLong());
        }
        case BOOL -> {
          if (e.isBoolean()) {
            buf.put((byte) (e.asBoolean() ? 1 : 0));
          } else if (e.isIntegralNumber() && (e.asLong() == 0 || e.asLong() == 1)) {
            buf.put((byte) e.asLong());
          } else {
            throw badElement(where, i, e, "a BOOL (true, false, 1 or 0)");
          }
        }
        default -> throw new IllegalStateException("unhandled dtype " + dtype);
      }
    }
    return buf.array();
  }

  private static double floating(String where, int i, JsonNode e) {
    if (e.isNumber()) {
      return e.asDouble();
    }
    if (e.isTextual()) {
      switch (e.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity", "+Infinity", "inf":
          return Double.POSITIVE_INFINITY;
        case "-Infinity", "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw badElement(where, i, e, "a number");
  }

  private static CliException badElement(String where, int i, JsonNode e, String expected) {
    return CliException.usage(where + ": element " + i + " is " + e + ", not " + expected);
  }

  static String shapeText(long[] dims) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : ",").append(dims[i]);
    }
    return sb.append(']').toString();
  }
}
