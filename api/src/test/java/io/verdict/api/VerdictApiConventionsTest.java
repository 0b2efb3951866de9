package io.verdict.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.verdict.api.v1.DType;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.VerdictProto;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The conventions verdict.proto promises its users, checked on the compiled descriptors. */
class VerdictApiConventionsTest {
  private static final FileDescriptor FILE = VerdictProto.getDescriptor();

  @Test
  void everyEnumStartsWithUnspecifiedAndPrefixesItsValues() {
    assertThat(FILE.getEnumTypes()).isNotEmpty().allSatisfy(e -> {
      String prefix = screamingSnake(e.getName()) + "_";
      assertThat(e.findValueByNumber(0).getName()).isEqualTo(prefix + "UNSPECIFIED");
      assertThat(e.getValues()).extracting(EnumValueDescriptor::getName)
          .allSatisfy(name -> assertThat(name).startsWith(prefix));
    });
  }

  @Test
  void dtypeNumbersAreTheCanonicalTensorEncodingCodes() {
    Map<String, Integer> api = new TreeMap<>();
    for (DType t : DType.values()) {
      if (t != DType.DTYPE_UNSPECIFIED && t != DType.UNRECOGNIZED) {
        api.put(t.name().substring("DTYPE_".length()), t.getNumber());
      }
    }
    Map<String, Integer> canonical = Arrays.stream(io.verdict.inference.tensor.DType.values())
        .collect(Collectors.toMap(Enum::name, t -> (int) t.code(), (a, b) -> a, TreeMap::new));

    assertThat(api).isEqualTo(canonical);
  }

  @Test
  void streamingShapesOfTheRpcs() {
    Map<String, String> shapes = new TreeMap<>();
    for (MethodDescriptor m : FILE.findServiceByName("VerdictService").getMethods()) {
      shapes.put(m.getName(), (m.isClientStreaming() ? "stream " : "") + "in, "
          + (m.isServerStreaming() ? "stream " : "") + "out");
    }
    assertThat(shapes).containsExactlyInAnyOrderEntriesOf(Map.of(
        "Submit", "in, out",
        "GetJob", "in, out",
        "WatchJob", "in, stream out",
        "GetReceipt", "in, out",
        "PublishModel", "stream in, out",
        "ListModels", "in, out",
        "GetModel", "in, out",
        "RetireModel", "in, out",
        "ValidatorInfo", "in, out",
        "AnchorStatus", "in, out"));
  }

  @Test
  void anUploadMessageIsEitherTheHeaderOrAChunk() {
    var part = PublishModelRequest.getDescriptor().getOneofs();
    assertThat(part).singleElement().satisfies(o -> {
      assertThat(o.getName()).isEqualTo("part");
      assertThat(o.getFields()).extracting(f -> f.getName() + "=" + f.getNumber())
          .containsExactly("header=1", "chunk=2");
    });
  }

  private static String screamingSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
  }
}
