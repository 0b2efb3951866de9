package io.verdict.verification.receipt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Receipt JSON: UTF-8, fields in the documented order, two-space indentation, {@code \n} line
 * ends. Parsing rejects unknown fields and missing numbers; a missing object or string becomes
 * null, which {@link ReceiptVerifier} reports as malformed.
 */
public final class ReceiptCodec {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
      Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
          .withArrayEmptySeparator("")
          .withObjectEmptySeparator(""))
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n"));

  private ReceiptCodec() {}

  public static String toJson(Receipt receipt) {
    try {
      return MAPPER.writer(PRETTY).writeValueAsString(receipt);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a receipt record always serialises", e);
    }
  }

  /**
   * Parses receipt JSON.
   *
   * @throws MalformedReceiptException if the text is not JSON of the receipt's shape
   */
  public static Receipt fromJson(String json) {
    try {
      return MAPPER.readValue(json, Receipt.class);
    } catch (JsonProcessingException e) {
      throw new MalformedReceiptException(e.getOriginalMessage());
    }
  }
}
