package io.verdict.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.verdict.api.kserve.ServerLiveRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins kserve/grpc_predict_v2.proto to the published Open Inference Protocol (KServe V2) gRPC
 * definition: package, service, rpcs, and for every message each field's name, number, type and
 * cardinality. Anything that would break an existing KServe or Triton client fails here.
 */
class KServeProtocolCompatibilityTest {
  private static final FileDescriptor FILE = ServerLiveRequest.getDescriptor().getFile();

  /** The published protocol, transcribed from the specification. */
  private static final List<String> SPEC = List.of(
      "rpc ServerLive(ServerLiveRequest) returns ServerLiveResponse",
      "rpc ServerReady(ServerReadyRequest) returns ServerReadyResponse",
      "rpc ModelReady(ModelReadyRequest) returns ModelReadyResponse",
      "rpc ServerMetadata(ServerMetadataRequest) returns ServerMetadataResponse",
      "rpc ModelMetadata(ModelMetadataRequest) returns ModelMetadataResponse",
      "rpc ModelInfer(ModelInferRequest) returns ModelInferResponse",
      "message ServerLiveRequest",
      "message ServerLiveResponse",
      "  bool live = 1",
      "message ServerReadyRequest",
      "message ServerReadyResponse",
      "  bool ready = 1",
      "message ModelReadyRequest",
      "  string name = 1",
      "  string version = 2",
      "message ModelReadyResponse",
      "  bool ready = 1",
      "message ServerMetadataRequest",
      "message ServerMetadataResponse",
      "  string name = 1",
      "  string version = 2",
      "  repeated string extensions = 3",
      "message ModelMetadataRequest",
      "  string name = 1",
      "  string version = 2",
      "message ModelMetadataResponse",
      "  string name = 1",
      "  repeated string versions = 2",
      "  string platform = 3",
      "  repeated inference.ModelMetadataResponse.TensorMetadata inputs = 4",
      "  repeated inference.ModelMetadataResponse.TensorMetadata outputs = 5",
      "message ModelMetadataResponse.TensorMetadata",
      "  string name = 1",
      "  string datatype = 2",
      "  repeated int64 shape = 3",
      "message ModelInferRequest",
      "  string model_name = 1",
      "  string model_version = 2",
      "  string id = 3",
      "  map<string, inference.InferParameter> parameters = 4",
      "  repeated inference.ModelInferRequest.InferInputTensor inputs = 5",
      "  repeated inference.ModelInferRequest.InferRequestedOutputTensor outputs = 6",
      "  repeated bytes raw_input_contents = 7",
      "message ModelInferRequest.InferInputTensor",
      "  string name = 1",
      "  string datatype = 2",
      "  repeated int64 shape = 3",
      "  map<string, inference.InferParameter> parameters = 4",
      "  inference.InferTensorContents contents = 5",
      "message ModelInferRequest.InferRequestedOutputTensor",
      "  string name = 1",
      "  map<string, inference.InferParameter> parameters = 2",
      "message ModelInferResponse",
      "  string model_name = 1",
      "  string model_version = 2",
      "  string id = 3",
      "  map<string, inference.InferParameter> parameters = 4",
      "  repeated inference.ModelInferResponse.InferOutputTensor outputs = 5",
      "  repeated bytes raw_output_contents = 6",
      "message ModelInferResponse.InferOutputTensor",
      "  string name = 1",
      "  string datatype = 2",
      "  repeated int64 shape = 3",
      "  map<string, inference.InferParameter> parameters = 4",
      "  inference.InferTensorContents contents = 5",
      "message InferParameter",
      "  oneof parameter_choice bool bool_param = 1",
      "  oneof parameter_choice int64 int64_param = 2",
      "  oneof parameter_choice string string_param = 3",
      "  oneof parameter_choice double double_param = 4",
      "  oneof parameter_choice uint64 uint64_param = 5",
      "message InferTensorContents",
      "  repeated bool bool_contents = 1",
      "  repeated int32 int_contents = 2",
      "  repeated int64 int64_contents = 3",
      "  repeated uint32 uint_contents = 4",
      "  repeated uint64 uint64_contents = 5",
      "  repeated float fp32_contents = 6",
      "  repeated double fp64_contents = 7",
      "  repeated bytes bytes_contents = 8");

  @Test
  void packageAndServiceAreThoseOfTheProtocol() {
    assertThat(FILE.getPackage()).isEqualTo("inference");
    assertThat(FILE.getServices()).extracting(ServiceDescriptor::getFullName)
        .containsExactly("inference.GRPCInferenceService");
    assertThat(FILE.getOptions().getJavaPackage()).isEqualTo("io.verdict.api.kserve");
    assertThat(FILE.getDependencies()).as("imports").isEmpty();
  }

  @Test
  void everyRpcMessageAndFieldMatchesTheProtocol() {
    assertThat(describe(FILE)).containsExactlyElementsOf(SPEC);
  }

  private static List<String> describe(FileDescriptor file) {
    List<String> lines = new ArrayList<>();
    for (MethodDescriptor m : file.getServices().get(0).getMethods()) {
      assertThat(m.isClientStreaming() || m.isServerStreaming()).as(m.getName()).isFalse();
      lines.add("rpc " + m.getName() + "(" + m.getInputType().getName() + ") returns "
          + m.getOutputType().getName());
    }
    for (Descriptor message : file.getMessageTypes()) {
      describe(message, "", lines);
    }
    return lines;
  }

  private static void describe(Descriptor message, String outer, List<String> lines) {
    if (message.getOptions().getMapEntry()) {
      return;
    }
    lines.add("message " + outer + message.getName());
    for (FieldDescriptor f : message.getFields()) {
      String oneof = f.getRealContainingOneof() == null
          ? "" : "oneof " + f.getRealContainingOneof().getName() + " ";
      lines.add("  " + oneof + type(f) + " " + f.getName() + " = " + f.getNumber());
    }
    for (Descriptor nested : message.getNestedTypes()) {
      describe(nested, outer + message.getName() + ".", lines);
    }
  }

  private static String type(FieldDescriptor f) {
    if (f.isMapField()) {
      Descriptor entry = f.getMessageType();
      return "map<" + scalar(entry.findFieldByName("key")) + ", "
          + scalar(entry.findFieldByName("value")) + ">";
    }
    return (f.isRepeated() ? "repeated " : "") + scalar(f);
  }

  private static String scalar(FieldDescriptor f) {
    return switch (f.getType()) {
      case MESSAGE -> f.getMessageType().getFullName();
      case ENUM -> f.getEnumType().getFullName();
      default -> f.getType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
