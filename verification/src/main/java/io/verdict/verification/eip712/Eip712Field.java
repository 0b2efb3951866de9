package io.verdict.verification.eip712;

import java.util.regex.Pattern;

/** One member of an EIP-712 struct type: its Solidity type and its name. */
public record Eip712Field(String name, String type) {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
  private static final Pattern TYPE = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\[[0-9]*\\])*");

  public Eip712Field {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new Eip712Exception("invalid field name: " + name);
    }
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new Eip712Exception("invalid type for field " + name + ": " + type);
    }
  }

  public static Eip712Field of(String type, String name) {
    return new Eip712Field(name, type);
  }

  /** {@code type name}, as it appears in encodeType. */
  public String declaration() {
    return type + " " + name;
  }
}
