package io.verdict.verification.eip712;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import io.verdict.verification.keys.ValidatorAddress;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of EIP-712 struct types and the encoder over them: {@code encodeType}, {@code typeHash},
 * {@code encodeData} and {@code hashStruct}, exactly as the EIP-712 specification defines them
 * (referenced struct types appended after the primary type, sorted by name).
 *
 * <p>Values are plain Java objects: a {@link Map} from field name to value for a struct; for
 * atomic types {@code string} → {@link String}; {@code bytes} → {@code byte[]};
 * {@code bytes1..bytes32} → {@code byte[]} of that length or {@link Bytes32}; {@code uintN} /
 * {@code intN} → {@link BigInteger}, {@link Long} or {@link Integer} (range-checked);
 * {@code address} → {@link Address}, {@link ValidatorAddress} or its hex text; {@code bool} →
 * {@link Boolean}; arrays {@code T[]} / {@code T[k]} → {@link List}.
 */
public final class Eip712Types {
  private static final Pattern ARRAY = Pattern.compile("(.*)\\[([0-9]*)\\]");
  private static final Pattern INT = Pattern.compile("(u?)int([0-9]*)");
  private static final Pattern FIXED_BYTES = Pattern.compile("bytes([0-9]+)");

  private final Map<String, List<Eip712Field>> structs;

  private Eip712Types(Map<String, List<Eip712Field>> structs) {
    this.structs = structs;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Accumulates struct definitions. */
  public static final class Builder {
    private final Map<String, List<Eip712Field>> structs = new LinkedHashMap<>();

    public Builder struct(String name, Eip712Field... fields) {
      return struct(name, List.of(fields));
    }

    public Builder struct(String name, List<Eip712Field> fields) {
      if (structs.containsKey(name)) {
        throw new Eip712Exception("struct defined twice: " + name);
      }
      if (atomic(name)) {
        throw new Eip712Exception("struct name clashes with an atomic type: " + name);
      }
      Set<String> names = new LinkedHashSet<>();
      for (Eip712Field f : fields) {
        if (!names.add(f.name())) {
          throw new Eip712Exception("duplicate field " + f.name() + " in " + name);
        }
      }
      structs.put(name, List.copyOf(fields));
      return this;
    }

    public Eip712Types build() {
      Eip712Types types = new Eip712Types(Map.copyOf(structs));
      for (Map.Entry<String, List<Eip712Field>> e : structs.entrySet()) {
        for (Eip712Field f : e.getValue()) {
          String base = baseType(f.type());
          if (!atomic(base) && !structs.containsKey(base)) {
            throw new Eip712Exception("unknown type " + f.type() + " in " + e.getKey());
          }
        }
      }
      return types;
    }
  }

  public List<Eip712Field> fields(String struct) {
    List<Eip712Field> fields = structs.get(struct);
    if (fields == null) {
      throw new Eip712Exception("unknown struct type: " + struct);
    }
    return fields;
  }

  /** {@code Name(type1 name1,...)} followed by every referenced struct type, sorted by name. */
  public String encodeType(String primary) {
    Set<String> deps = new TreeSet<>();
    collectDependencies(primary, deps);
    deps.remove(primary);
    StringBuilder out = new StringBuilder(declaration(primary));
    for (String dep : deps) {
      out.append(declaration(dep));
    }
    return out.toString();
  }

  public Bytes32 typeHash(String primary) {
    return Keccak.hash32(encodeType(primary).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code typeHash ‖ enc(value1) ‖ ... ‖ enc(valueN)}. */
  public byte[] encodeData(String struct, Map<String, ?> value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(typeHash(struct).bytes());
    for (Eip712Field field : fields(struct)) {
      if (!value.containsKey(field.name())) {
        throw new Eip712Exception("missing field " + struct + "." + field.name());
      }
      out.writeBytes(encodeValue(field.type(), value.get(field.name()), struct + "." + field.name()));
    }
    return out.toByteArray();
  }

  /** {@code keccak256(encodeData(s))}. */
  public Bytes32 hashStruct(String struct, Map<String, ?> value) {
    return Keccak.hash32(encodeData(struct, value));
  }

  private String declaration(String struct) {
    StringBuilder out = new StringBuilder(struct).append('(');
    List<Eip712Field> fields = fields(struct);
    for (int i = 0; i < fields.size(); i++) {
      out.append(i == 0 ? "" : ",").append(fields.get(i).declaration());
    }
    return out.append(')').toString();
  }

  private void collectDependencies(String struct, Set<String> found) {
    if (!found.add(struct)) {
      return;
    }
    for (Eip712Field f : fields(struct)) {
      String base = baseType(f.type());
      if (structs.containsKey(base)) {
        collectDependencies(base, found);
      }
    }
  }

  private byte[] encodeValue(String type, Object value, String where) {
    if (value == null) {
      throw new Eip712Exception("null value for " + where);
    }
    Matcher array = ARRAY.matcher(type);
    if (array.matches()) {
      if (!(value instanceof List<?> list)) {
        throw new Eip712Exception(where + " must be a List for " + type);
      }
      if (!array.group(2).isEmpty() && list.size() != Integer.parseInt(array.group(2))) {
        throw new Eip712Exception(where + " must have " + array.group(2) + " elements");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < list.size(); i++) {
        out.writeBytes(encodeValue(array.group(1), list.get(i), where + "[" + i + "]"));
      }
      return Keccak.hash(out.toByteArray());
    }
    if (structs.containsKey(type)) {
      if (!(value instanceof Map<?, ?> map)) {
        throw new Eip712Exception(where + " must be a Map for struct " + type);
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> typed = (Map<String, ?>) map;
      return hashStruct(type, typed).bytes();
    }
    return encodeAtomic(type, value, where);
  }

  private static byte[] encodeAtomic(String type, Object value, String where) {
    switch (type) {
      case "string":
        if (!(value instanceof String s)) {
          throw new Eip712Exception(where + " must be a String");
        }
        return Keccak.hash(s.getBytes(StandardCharsets.UTF_8));
      case "bytes":
        return Keccak.hash(bytesOf(value, where));
      case "bool":
        if (!(value instanceof Boolean b)) {
          throw new Eip712Exception(where + " must be a Boolean");
        }
        return word(b ? BigInteger.ONE : BigInteger.ZERO);
      case "address":
        return addressOf(value, where).toWord();
      default:
        break;
    }
    Matcher fixed = FIXED_BYTES.matcher(type);
    if (fixed.matches()) {
      int n = Integer.parseInt(fixed.group(1));
      byte[] raw = bytesOf(value, where);
      if (raw.length != n) {
        throw new Eip712Exception(where + " must be exactly " + n + " bytes for " + type);
      }
      byte[] out = new byte[32];
      System.arraycopy(raw, 0, out, 0, n);
      return out;
    }
    Matcher integer = INT.matcher(type);
    if (integer.matches()) {
      boolean unsigned = !integer.group(1).isEmpty();
      int bits = integer.group(2).isEmpty() ? 256 : Integer.parseInt(integer.group(2));
      BigInteger v = integerOf(value, where);
      BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
      BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
          : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
      if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
        throw new Eip712Exception(where + " out of range for " + type);
      }
      return word(v);
    }
    throw new Eip712Exception("unsupported type " + type + " at " + where);
  }

  private static boolean atomic(String type) {
    if (type.equals("string") || type.equals("bytes") || type.equals("bool")
        || type.equals("address")) {
      return true;
    }
    Matcher fixed = FIXED_BYTES.matcher(type);
    if (fixed.matches()) {
      int n = Integer.parseInt(fixed.group(1));
      return n >= 1 && n <= 32;
    }
    Matcher integer = INT.matcher(type);
    if (integer.matches()) {
      if (integer.group(2).isEmpty()) {
        return true;
      }
      int bits = Integer.parseInt(integer.group(2));
      return bits >= 8 && bits <= 256 && bits % 8 == 0;
    }
    return false;
  }

  private static String baseType(String type) {
    int bracket = type.indexOf('[');
    return bracket < 0 ? type : type.substring(0, bracket);
  }

  private static byte[] bytesOf(Object value, String where) {
    if (value instanceof byte[] b) {
      return b.clone();
    }
    if (value instanceof Bytes32 b) {
      return b.bytes();
    }
    throw new Eip712Exception(where + " must be byte[] or Bytes32");
  }

  private static Address addressOf(Object value, String where) {
    if (value instanceof Address a) {
      return a;
    }
    if (value instanceof ValidatorAddress v) {
      return v.address();
    }
    if (value instanceof String s) {
      return Address.parse(s);
    }
    throw new Eip712Exception(where + " must be an Address");
  }

  private static BigInteger integerOf(Object value, String where) {
    if (value instanceof BigInteger b) {
      return b;
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      return BigInteger.valueOf(((Number) value).longValue());
    }
    throw new Eip712Exception(where + " must be a BigInteger, Long or Integer");
  }

  /** A signed 256-bit two's-complement big-endian word. */
  static byte[] word(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    if (v.signum() < 0) {
      java.util.Arrays.fill(out, (byte) 0xff);
    }
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  /** The names of every struct type defined. */
  public List<String> structNames() {
    return new ArrayList<>(new TreeSet<>(structs.keySet()));
  }
}
